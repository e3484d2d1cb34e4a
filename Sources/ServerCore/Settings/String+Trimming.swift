extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, `\r`),
    /// without pulling in Foundation for it.
    func trimmingWhitespace() -> String {
        guard let start = firstIndex(where: { !$0.isWhitespace }),
              let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[start...end])
    }
}

extension Character {
    /// `0`-`9` only; `isNumber` would also take other scripts' digits and fractions.
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
