import Glibc  // memchr only: the fastest way to find line ends

/// Byte classes from RFC 9110 5.6 and RFC 3986, as constant bit masks so the
/// hot loops test a byte with one shift instead of a table look-up.
enum HTTP1Bytes {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let slash: UInt8 = 0x2F
    static let question: UInt8 = 0x3F
    static let percent: UInt8 = 0x25
    static let comma: UInt8 = 0x2C

    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
    //         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA          (RFC 9110 5.6.2)
    private static let tcharLow: UInt64 = 0x03ff_6cfa_0000_0000
    private static let tcharHigh: UInt64 = 0x57ff_ffff_c7ff_fffe
    // unreserved / sub-delims: the reg-name bytes besides pct-encoded (RFC 3986 3.2.2)
    private static let regNameLow: UInt64 = 0x2bff_7fd2_0000_0000
    private static let regNameHigh: UInt64 = 0x47ff_fffe_87ff_fffe

    @inline(__always)
    static func isTchar(_ c: UInt8) -> Bool { inMask(c, tcharLow, tcharHigh) }

    @inline(__always)
    static func isRegNameChar(_ c: UInt8) -> Bool { inMask(c, regNameLow, regNameHigh) }

    @inline(__always)
    private static func inMask(_ c: UInt8, _ low: UInt64, _ high: UInt64) -> Bool {
        c < 64 ? (low >> UInt64(c)) & 1 == 1 : c < 128 && (high >> UInt64(c - 64)) & 1 == 1
    }

    /// field-vchar / SP / HTAB; obs-text is allowed, every other CTL (NUL, CR, LF, DEL) is not
    /// (RFC 9110 5.5).
    @inline(__always)
    static func isFieldValueByte(_ c: UInt8) -> Bool { (c >= 0x20 && c != 0x7F) || c == htab }

    /// VCHAR: what a request-target may contain (RFC 9112 3.2; no spaces, controls or non-ASCII).
    @inline(__always)
    static func isVisibleASCII(_ c: UInt8) -> Bool { c > 0x20 && c < 0x7F }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// The value of a HEXDIG, or nil.
    @inline(__always)
    static func hexValue(_ c: UInt8) -> Int? {
        if c &- 0x30 < 10 { return Int(c &- 0x30) }
        let l = c | 0x20
        if l &- 0x61 < 6 { return Int(l &- 0x61) + 10 }
        return nil
    }

    /// Whether `bytes[start..<start+count]` equals `lower` ignoring ASCII case.
    /// `lower` must be lowercase letters, digits and `-`; callers pass token bytes,
    /// for which `| 0x20` folds only the letters (RFC 9110 5.1: names are case-insensitive).
    @inline(__always)
    static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ count: Int,
                                _ lower: StaticString) -> Bool {
        guard lower.utf8CodeUnitCount == count else { return false }
        let expected = lower.utf8Start
        for k in 0..<count where bytes[start + k] | 0x20 != expected[k] { return false }
        return true
    }

    /// Whether `bytes[start..<start+count]` equals `exact` byte for byte (methods and the
    /// version are case-sensitive: RFC 9110 9.1, RFC 9112 2.3).
    @inline(__always)
    static func equalsCase(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ count: Int,
                           _ exact: StaticString) -> Bool {
        guard exact.utf8CodeUnitCount == count else { return false }
        let expected = exact.utf8Start
        for k in 0..<count where bytes[start + k] != expected[k] { return false }
        return true
    }

    /// The index of the first LF in `bytes[from..<bytes.count]`, or nil.
    @inline(__always)
    static func firstLF(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        let count = bytes.count - from
        guard count > 0, let base = bytes.baseAddress,
              let hit = memchr(base + from, Int32(lf), count) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// A String over `bytes[start..<end]`, built once per field.
    @inline(__always)
    static func string(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
