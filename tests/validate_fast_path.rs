//! The fast typed path of validation accepts exactly the documents the JSON Schema accepts:
//! generated documents, mutated in many ways, are judged the same by both.

use jixiao::ingest::validate::DocumentValidator;
use jixiao::runs::generate::generate;
use serde_json::{Value, json};

fn mutations(doc: &Value) -> Vec<Value> {
    let mut out = vec![doc.clone()];
    let mut set = |pointer: &str, value: Value| {
        let mut d = doc.clone();
        if let Some(slot) = d.pointer_mut(pointer) {
            *slot = value;
            out.push(d);
        }
    };
    set("/year", json!(1989));
    set("/year", json!(2100));
    set("/year", json!("2021"));
    set("/id", json!(""));
    set("/id", json!("x".repeat(513)));
    set("/id", json!("字".repeat(512)));
    set("/project/name", json!(""));
    set("/funds/total/executed", json!(870996.5));
    set("/funds/total/executed", json!("870,996"));
    set("/funds/total/executed", json!("1e5"));
    set("/funds/total/executed", json!(".5"));
    set("/funds/total/executed", json!("-0.5"));
    set("/funds/total/executed", Value::Null);
    // The range's edges: 15 integer and 28 fraction digits.
    set("/funds/total/executed", json!("999999999999999.5"));
    set("/funds/total/executed", json!("-999999999999999"));
    set("/funds/total/executed", json!("1000000000000000"));
    set("/funds/total/executed", json!("0000000000000001"));
    set("/funds/total/executed", json!("79228162514264337593543950335"));
    set("/funds/total/executed", json!("0.0000000000000000000000000001"));
    set("/funds/total/executed", json!("0.00000000000000000000000000001"));
    set("/indicators/0/weight", json!("9999999999999999999999999999"));
    set("/funds/total/weight", json!(10));
    set("/indicators/0/weight", json!("abc"));
    set("/indicators/0/weight", json!("12."));
    set("/indicators/0/placeholder", json!("yes"));
    set("/layout", json!("yinchuan"));
    set("/funds/total/label", json!(5));
    let mut d = doc.clone();
    d.as_object_mut().unwrap().insert("colour".into(), json!("red"));
    out.push(d);
    let mut d = doc.clone();
    d.as_object_mut().unwrap().remove("funds");
    out.push(d);
    let mut d = doc.clone();
    d["provenance"] = json!({"/year": {"row": 0, "column": 3}});
    out.push(d);
    let mut d = doc.clone();
    d["unmapped"] = json!([{"row": 4, "column": 1, "text": "x"}]);
    out.push(d);
    out
}

#[test]
fn fast_path_and_schema_agree() {
    let validator = DocumentValidator::new().unwrap();
    let schema = jsonschema::validator_for(&jixiao::ingest::schema::evaluation_schema()).unwrap();
    let mut accepted = 0;
    let mut refused = 0;
    for doc in generate(3, 60) {
        let value = serde_json::to_value(&doc).unwrap();
        for m in mutations(&value) {
            let text = serde_json::to_string(&m).unwrap();
            let fast = validator.check_str(&text).is_ok();
            let slow = schema.is_valid(&m) && validator.check(&m).is_ok();
            assert_eq!(fast, slow, "disagree on {text}");
            if fast { accepted += 1 } else { refused += 1 }
        }
    }
    assert!(
        accepted >= 60 && refused >= 60 * 15,
        "{accepted} accepted, {refused} refused"
    );
}
