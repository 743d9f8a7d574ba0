//! JSON whose objects give each key once. serde_json, like Python's `json`, keeps the last of a
//! key given twice, so `{"epochs": 3, "epochs": 5}` would silently train 5 epochs; a file a person
//! wrote is refused instead, at the second key's line and column.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// `text` as a [`Value`], refused (with its line and column) where an object repeats a key.
pub fn parse(text: &str) -> serde_json::Result<Value> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let Unique(value) = Unique::deserialize(&mut reader)?;
    reader.end()?; // nothing after the value
    Ok(value)
}

struct Unique(Value);

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Unique(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(A::Error::custom(format!(
                    "a second `{key}` in one object (JSON readers keep only one of them; give it once)"
                )));
            }
            let Unique(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_in_one_object_is_refused_at_its_second_place() {
        let e = parse("{\"model\": {\"hidden\": [4],\n \"hidden\": [8]}}").unwrap_err();
        assert!(
            e.to_string().contains("a second `hidden` in one object"),
            "{e}"
        );
        assert_eq!((e.line(), e.column()), (2, 9));
    }

    #[test]
    fn the_same_key_in_two_objects_reads_as_serde_json_reads_it() {
        let text = r#"{"a": {"k": 1}, "b": [{"k": 2.5}, {"k": null}], "c": "s", "d": true}"#;
        let want: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse(text).unwrap(), want);
        assert!(parse("{} x").is_err());
    }
}
