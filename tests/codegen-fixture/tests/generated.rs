//! The module generated from build.rs encodes, decodes and follows the naming rules.

use zerotl::{Decode, Encode, Identifiable, RemoteCall};
use zerotl_codegen_fixture::shapes::{enums, functions, types};

#[test]
fn names_follow_the_rules() {
    // `shapeCircle` of type `Shape` is the variant `Shape::Circle` and the struct
    // `types::ShapeCircle`; `geo.area` lives in the `geo` modules.
    let s = enums::Shape::Circle(types::ShapeCircle { radius: 1.5 });
    assert_eq!(s.constructor_name(), "shapeCircle");
    assert_eq!(types::ShapeCircle::NAME, "shapeCircle");
    assert_eq!(types::geo::Area::NAME, "geo.area");
    let _: enums::geo::Area = types::geo::Area { value: 2.0 }.into();
}

#[test]
fn values_round_trip() {
    let shapes = [
        enums::Shape::Rect(types::ShapeRect {
            width: 2,
            height: 3,
        }),
        enums::Shape::Empty,
    ];
    let d = types::Drawing {
        name: "plan".into(),
        shapes: zerotl::Vector::from_slice(&shapes),
        origin: Some(enums::Point::Point(types::Point { x: 1, y: -1 })),
        hidden: true,
    };
    let bytes = zerotl::encode_to_vec(&d).unwrap();
    assert_eq!(bytes.len(), d.encoded_len());
    assert_eq!(&bytes[..4], &types::Drawing::CONSTRUCTOR_ID.to_le_bytes());
    let back = types::Drawing::decode_from_slice(&bytes).unwrap();
    assert_eq!(back, d);
    assert_eq!(back.shapes.iter().collect::<Vec<_>>(), shapes);
}

#[test]
fn defaults_where_every_field_has_one() {
    let d = types::Drawing::default();
    assert_eq!(d.name, "");
    assert!(d.shapes.is_empty() && d.origin.is_none() && !d.hidden);
    assert_eq!(types::ShapeRect::default().width, 0);
    // `shapeEmpty` (no fields) is `Shape`'s default, so a function holding a
    // `Shape` has one too.
    assert_eq!(enums::Shape::default(), enums::Shape::Empty);
    assert_eq!(
        functions::geo::Measure::default().shape,
        enums::Shape::Empty
    );
}

#[test]
fn functions_answer_with_their_type() {
    let f = functions::geo::Measure {
        shape: enums::Shape::Circle(types::ShapeCircle { radius: 1.0 }),
    };
    let bytes = zerotl::encode_to_vec(&f).unwrap();
    assert_eq!(
        functions::geo::Measure::decode_from_slice(&bytes).unwrap(),
        f
    );
    let answer = zerotl::encode_to_vec(&types::geo::Area { value: 3.25 }).unwrap();
    let enums::geo::Area::Area(a) = functions::geo::Measure::decode_answer(&answer).unwrap();
    assert_eq!(a.value, 3.25);
}
