extension Character {
    /// `0`-`9` only; `isNumber` would also take other scripts' digits and fractions.
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
