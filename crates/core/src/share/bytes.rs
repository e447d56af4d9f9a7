//! Bytes of the compact link form: LEB128 varints (zigzag for signed
//! numbers) written into a buffer, and a reader that never reads past its
//! end, so a hostile payload gives an error, never a panic.

/// A growing buffer of varints.
#[derive(Debug, Default, Clone)]
pub struct ByteWriter {
    pub bytes: Vec<u8>,
}

impl ByteWriter {
    pub fn unsigned(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.bytes.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    pub fn signed(&mut self, value: i64) {
        self.unsigned(((value << 1) ^ (value >> 63)) as u64);
    }

    pub fn float(&mut self, value: f64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// A length, then the bytes.
    pub fn section(&mut self, bytes: &[u8]) {
        self.unsigned(bytes.len() as u64);
        self.bytes.extend_from_slice(bytes);
    }
}

/// Reads what a [`ByteWriter`] wrote; every read checks the end.
#[derive(Debug, Clone)]
pub struct ByteReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// The payload ended early or held a number too large: the link is damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damaged;

impl<'a> ByteReader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        ByteReader { bytes, at: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.at..]
    }

    pub fn byte(&mut self) -> Result<u8, Damaged> {
        let byte = *self.bytes.get(self.at).ok_or(Damaged)?;
        self.at += 1;
        Ok(byte)
    }

    pub fn unsigned(&mut self) -> Result<u64, Damaged> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(Damaged);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Damaged)
    }

    pub fn signed(&mut self) -> Result<i64, Damaged> {
        let raw = self.unsigned()?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    pub fn float(&mut self) -> Result<f64, Damaged> {
        let end = self.at.checked_add(8).ok_or(Damaged)?;
        let bytes: [u8; 8] = self
            .bytes
            .get(self.at..end)
            .ok_or(Damaged)?
            .try_into()
            .map_err(|_| Damaged)?;
        self.at = end;
        Ok(f64::from_le_bytes(bytes))
    }

    /// A length-prefixed section, as its own reader.
    pub fn section(&mut self) -> Result<ByteReader<'a>, Damaged> {
        let len = usize::try_from(self.unsigned()?).map_err(|_| Damaged)?;
        if len > self.remaining() {
            return Err(Damaged);
        }
        let section = ByteReader::new(&self.bytes[self.at..self.at + len]);
        self.at += len;
        Ok(section)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_truncation_is_an_error() {
        let mut w = ByteWriter::default();
        let values = [0i64, 1, -1, 63, -64, 300, i64::MAX, i64::MIN];
        for v in values {
            w.signed(v);
        }
        w.unsigned(u64::MAX);
        w.float(-0.125);
        let mut r = ByteReader::new(&w.bytes);
        for v in values {
            assert_eq!(r.signed(), Ok(v));
        }
        assert_eq!(r.unsigned(), Ok(u64::MAX));
        assert_eq!(r.float(), Ok(-0.125));
        assert_eq!(r.byte(), Err(Damaged));
        assert_eq!(ByteReader::new(&[0x80]).unsigned(), Err(Damaged));
        assert_eq!(ByteReader::new(&[0xff; 11]).unsigned(), Err(Damaged));
        assert!(ByteReader::new(&[5, 1]).section().is_err());
    }
}
