/// A size in bytes, as a setting holds it: written with an optional binary
/// unit (`64k`, `1MiB`, `2g`), printed in the largest unit that divides it.
public struct ByteCount: SettingValueType, Comparable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var count: Int

    public init(_ count: Int) { self.count = count }
    public init(integerLiteral count: Int) { self.count = count }

    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.count < b.count }

    public static var settingType: SettingType { .bytes }
    public static func parse(_ text: String) throws(ValueProblem) -> ByteCount {
        ByteCount(try SettingValueParser.parseBytes(text.trimmingWhitespace()))
    }
    public var settingText: String { SettingFormatter.bytes(count) }
    public var description: String { settingText }
}
