//! JSON read into a type, its errors naming the key as well as the place: a value of the wrong
//! type in a run's `config.json` reads "`train.model.inputs`: invalid value: integer `-1`,
//! expected usize at line 30 column 18", not the type's complaint alone.

use serde::de::DeserializeOwned;

/// `text` as a `T`, or what is wrong with it: the key's path (when the error is under one), what
/// serde_json says, and its line and column.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let path = e.path().to_string();
        let said = plain(e.inner().to_string());
        match path.as_str() {
            "." => said, // the top level: no key to name
            _ => format!("`{path}`: {said}"),
        }
    })?;
    reader.end().map_err(|e| e.to_string())?; // nothing but white space after the value
    Ok(value)
}

/// serde's name of a tagged type as a user writes it: `internally tagged enum ActivationConfig`
/// is an activation, `{"name": "leaky_relu", "slope": 0.2}` (a `--config` file takes `"relu"` too).
pub fn plain(said: String) -> String {
    const WORDS: [(&str, &str); 3] = [
        (
            "internally tagged enum ActivationConfig",
            r#"an activation ({"name": "leaky_relu", "slope": 0.2})"#,
        ),
        (
            "internally tagged enum ScheduleConfig",
            r#"a schedule ({"kind": "step", "every": 10, "gamma": 0.5})"#,
        ),
        (
            "internally tagged enum DataSource",
            r#"a data source ({"kind": "csv", "path": …} or {"kind": "builtin", "name": …})"#,
        ),
    ];
    WORDS
        .iter()
        .fold(said, |said, (serde, plain)| said.replace(serde, plain))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::parse;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Model {
        inputs: usize,
        hidden: Vec<usize>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Run {
        model: Model,
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named_by_its_key_line_and_column() {
        let text = "{\"model\": {\"inputs\": 2,\n \"hidden\": [5, -4]}}";
        let error = parse::<Run>(text).unwrap_err();
        assert_eq!(
            error,
            "`model.hidden[1]`: invalid value: integer `-4`, expected usize at line 2 column 17"
        );
    }

    #[test]
    fn an_error_at_the_top_level_names_no_key() {
        let error = parse::<Run>("3").unwrap_err();
        assert!(error.starts_with("invalid type: integer `3`"), "{error}");
        let trailing = parse::<Run>("{\"model\": {\"inputs\": 1, \"hidden\": []}} x").unwrap_err();
        assert!(trailing.starts_with("trailing characters"), "{trailing}");
    }

    #[test]
    fn a_tagged_type_is_named_as_a_user_writes_it_not_as_serde_names_it() {
        let error = parse::<crate::model::ActivationConfig>("5").unwrap_err();
        let said = r#"invalid type: integer `5`, expected an activation ({"name": "leaky_relu""#;
        assert!(error.starts_with(said), "{error}");
    }

    #[test]
    fn a_good_text_reads_as_serde_json_reads_it() {
        let run = parse::<Run>("{\"model\": {\"inputs\": 3, \"hidden\": [4, 5]}}\n");
        let run = run.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((run.model.inputs, run.model.hidden), (3, vec![4, 5]));
    }
}
