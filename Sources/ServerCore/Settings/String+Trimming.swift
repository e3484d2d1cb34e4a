extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, `\r`),
    /// without pulling in Foundation for it.
    func trimmingWhitespace() -> String {
        guard let start = firstIndex(where: { !$0.isWhitespace }),
              let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[start...end])
    }
}
