//! Tagged enums that refuse keys they do not read. serde's derive ignores every key beside the
//! tag for a variant without fields, so `{"name": "relu", "slope": 0.1}` would read as plain ReLU
//! and `{"kind": "constant", "every": 5}` as a constant rate. [`strict!`] gives such an enum a
//! `Deserialize` that parses as the derive does (`#[serde(remote = "Self")]`) and then refuses
//! any key the parsed value does not write back.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// `parse(value)`, refused when `value` holds a key that the result does not write back.
pub fn strictly<'de, D, T>(
    deserializer: D,
    parse: impl FnOnce(&Value) -> serde_json::Result<T>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Serialize,
{
    let value = Value::deserialize(deserializer)?;
    let parsed = parse(&value).map_err(D::Error::custom)?;
    let written = serde_json::to_value(&parsed).map_err(D::Error::custom)?;
    if let (Value::Object(given), Value::Object(kept)) = (&value, &written) {
        if let Some(key) = given.keys().find(|k| !kept.contains_key(*k)) {
            let known: Vec<String> = kept.keys().map(|k| format!("`{k}`")).collect();
            return Err(D::Error::custom(format!(
                "unknown field `{key}`, expected {}",
                known.join(", ")
            )));
        }
    }
    Ok(parsed)
}

/// `Serialize` and a strict `Deserialize` for an enum derived with `#[serde(remote = "Self")]`.
macro_rules! strict {
    ($type:ty) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(
                &self,
                serializer: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                <$type>::serialize(self, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> std::result::Result<Self, D::Error> {
                $crate::strict::strictly(deserializer, |value| <$type>::deserialize(value))
            }
        }
    };
}
pub(crate) use strict;

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(remote = "Self", tag = "kind", rename_all = "snake_case")]
    enum Shape {
        Dot,
        Circle { radius: f64 },
    }
    strict!(Shape);

    fn read(text: &str) -> Result<Shape, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_key_beside_the_tag_of_a_variant_without_fields_is_refused_by_name() {
        assert_eq!(read(r#"{"kind": "dot"}"#), Ok(Shape::Dot));
        let error = read(r#"{"kind": "dot", "radius": 2}"#).unwrap_err();
        assert!(
            error.contains("unknown field `radius`, expected `kind`"),
            "{error}"
        );
    }

    #[test]
    fn a_variant_with_fields_reads_them_and_refuses_others() {
        assert_eq!(
            read(r#"{"kind": "circle", "radius": 2}"#),
            Ok(Shape::Circle { radius: 2.0 })
        );
        let error = read(r#"{"kind": "circle", "radius": 2, "colour": 1}"#).unwrap_err();
        assert!(error.contains("unknown field `colour`"), "{error}");
        assert!(read(r#"{"kind": "circle"}"#)
            .unwrap_err()
            .contains("radius"));
    }

    #[test]
    fn it_writes_what_the_derive_writes() {
        let text = serde_json::to_string(&Shape::Circle { radius: 1.5 }).unwrap_or_default();
        assert_eq!(text, r#"{"kind":"circle","radius":1.5}"#);
    }
}
