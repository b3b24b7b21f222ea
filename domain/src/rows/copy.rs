//! PostgreSQL's binary `COPY … TO STDOUT` format, for the jobs' largest
//! reads on PostgreSQL: one stream of bytes decoded here, where sqlx builds
//! a row object per row and checks each value's type (a quarter to a third
//! of the report's CPU on both sides went there; BENCHMARKS.md, "Reports").
//!
//! The format carries no types: each field is its length and its bytes, so
//! a value is checked by its length, and the statement's column types are
//! the caller's to match (the e2e tests read every figure on PostgreSQL).

use chrono::NaiveDate;
use uuid::Uuid;

/// What the stream starts with: the signature, the flags and the header
/// extension's length (both zero).
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// A value as PostgreSQL's binary format sends it.
pub(crate) trait CopyValue: Sized {
    /// `None` for SQL NULL.
    fn decode(field: Option<&[u8]>) -> Result<Self, String>;
}

fn exact<const N: usize>(field: Option<&[u8]>) -> Result<[u8; N], String> {
    let bytes = field.ok_or("a NULL where a value was expected")?;
    bytes
        .try_into()
        .map_err(|_| format!("a value of {} bytes where {N} were expected", bytes.len()))
}

impl CopyValue for i32 {
    fn decode(field: Option<&[u8]>) -> Result<Self, String> {
        Ok(i32::from_be_bytes(exact(field)?))
    }
}

impl CopyValue for i64 {
    fn decode(field: Option<&[u8]>) -> Result<Self, String> {
        Ok(i64::from_be_bytes(exact(field)?))
    }
}

impl CopyValue for Uuid {
    fn decode(field: Option<&[u8]>) -> Result<Self, String> {
        Ok(Uuid::from_bytes(exact(field)?))
    }
}

impl CopyValue for NaiveDate {
    /// Days since 2000-01-01.
    fn decode(field: Option<&[u8]>) -> Result<Self, String> {
        let days = i32::from_be_bytes(exact(field)?);
        NaiveDate::from_ymd_opt(2000, 1, 1)
            .and_then(|epoch| epoch.checked_add_signed(chrono::TimeDelta::days(days.into())))
            .ok_or_else(|| format!("no date {days} days from 2000-01-01"))
    }
}

impl<T: CopyValue> CopyValue for Option<T> {
    fn decode(field: Option<&[u8]>) -> Result<Self, String> {
        field.map(|bytes| T::decode(Some(bytes))).transpose()
    }
}

/// A row of the stream: a tuple of [`CopyValue`]s, in the statement's
/// column order.
pub(crate) trait CopyRow: Sized {
    const WIDTH: usize;
    fn decode(fields: &[Option<&[u8]>]) -> Result<Self, String>;
}

macro_rules! copy_row {
    ($width:literal: $($t:ident $i:tt),+) => {
        impl<$($t: CopyValue),+> CopyRow for ($($t,)+) {
            const WIDTH: usize = $width;
            fn decode(fields: &[Option<&[u8]>]) -> Result<Self, String> {
                Ok(($($t::decode(fields[$i])?,)+))
            }
        }
    };
}

copy_row!(4: A 0, B 1, C 2, D 3);
copy_row!(5: A 0, B 1, C 2, D 3, E 4);
copy_row!(6: A 0, B 1, C 2, D 3, E 4, F 5);
copy_row!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);
copy_row!(9: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);

/// Takes `n` bytes off the front of `bytes`.
fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if bytes.len() < n {
        return Err("the stream ends inside a row".into());
    }
    let (head, tail) = bytes.split_at(n);
    *bytes = tail;
    Ok(head)
}

/// The rows of a whole binary `COPY` stream.
pub(crate) fn parse<T: CopyRow>(mut bytes: &[u8]) -> Result<Vec<T>, String> {
    if take(&mut bytes, SIGNATURE.len())? != SIGNATURE {
        return Err("not a binary COPY stream".into());
    }
    let _flags = take(&mut bytes, 4)?;
    let extension = u32::from_be_bytes(exact(Some(take(&mut bytes, 4)?))?);
    take(&mut bytes, extension as usize)?;
    let mut rows = Vec::new();
    let mut fields = Vec::with_capacity(T::WIDTH);
    loop {
        let width = i16::from_be_bytes(exact(Some(take(&mut bytes, 2)?))?);
        if width == -1 {
            return Ok(rows);
        }
        if width as usize != T::WIDTH {
            return Err(format!(
                "a row of {width} columns where {} were expected",
                T::WIDTH
            ));
        }
        fields.clear();
        for _ in 0..width {
            let length = i32::from_be_bytes(exact(Some(take(&mut bytes, 4)?))?);
            fields.push(match usize::try_from(length) {
                Ok(length) => Some(take(&mut bytes, length)?),
                Err(_) => None,
            });
        }
        rows.push(T::decode(&fields)?);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream as PostgreSQL writes it, from each row's fields.
    fn stream(rows: &[Vec<Option<Vec<u8>>>]) -> Vec<u8> {
        let mut bytes = SIGNATURE.to_vec();
        bytes.extend([0; 8]);
        for row in rows {
            bytes.extend((row.len() as i16).to_be_bytes());
            for field in row {
                match field {
                    Some(value) => {
                        bytes.extend((value.len() as i32).to_be_bytes());
                        bytes.extend(value);
                    }
                    None => bytes.extend((-1i32).to_be_bytes()),
                }
            }
        }
        bytes.extend((-1i16).to_be_bytes());
        bytes
    }

    #[test]
    fn rows_decode_integers_uuids_dates_and_nulls() {
        let id = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let bytes = stream(&[
            vec![
                Some(2025i32.to_be_bytes().to_vec()),
                Some((-5i64).to_be_bytes().to_vec()),
                Some(id.as_bytes().to_vec()),
                // 2025-06-01 is 9,283 days after 2000-01-01.
                Some(9283i32.to_be_bytes().to_vec()),
                None,
            ],
            vec![
                Some(2024i32.to_be_bytes().to_vec()),
                Some(i64::MIN.to_be_bytes().to_vec()),
                Some(Uuid::nil().as_bytes().to_vec()),
                Some((-1i32).to_be_bytes().to_vec()),
                Some(0i32.to_be_bytes().to_vec()),
            ],
        ]);
        let rows: Vec<(i32, i64, Uuid, NaiveDate, Option<NaiveDate>)> = parse(&bytes).unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            rows,
            [
                (2025, -5, id, d(2025, 6, 1), None),
                (
                    2024,
                    i64::MIN,
                    Uuid::nil(),
                    d(1999, 12, 31),
                    Some(d(2000, 1, 1))
                ),
            ]
        );
    }

    #[test]
    fn a_stream_that_does_not_fit_the_row_is_an_error() {
        let four = Some(1i32.to_be_bytes().to_vec());
        let eight = Some(1i64.to_be_bytes().to_vec());
        let wide = stream(&[vec![four.clone(), four.clone(), four.clone(), four.clone()]]);
        // An int4 where an int8 is expected.
        assert!(parse::<(i32, i32, i32, i64)>(&wide)
            .unwrap_err()
            .contains("4 bytes"));
        // Four columns where five are expected.
        assert!(parse::<(i32, i32, i32, i32, i32)>(&wide).is_err());
        // A NULL in a column that is not an Option.
        let null = stream(&[vec![eight.clone(), None, eight.clone(), eight]]);
        assert!(parse::<(i64, i64, i64, i64)>(&null)
            .unwrap_err()
            .contains("NULL"));
        // Cut off inside its row, or not a COPY stream at all.
        assert!(parse::<(i32, i32, i32, i32)>(&wide[..wide.len() - 6]).is_err());
        assert!(parse::<(i32, i32, i32, i32)>(b"PGCOPY").is_err());
        assert_eq!(parse::<(i32, i32, i32, i32)>(&stream(&[])).unwrap(), []);
    }
}
