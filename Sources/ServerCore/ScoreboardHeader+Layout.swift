extension ScoreboardHeader {
    /// Words 48 and 56, zero on a board made before layouts had a number.
    static let layoutWord = 48
    static let slotSizeWord = 56
    /// Where the master's figures and the retired database counters start,
    /// after the retired request counters.
    static let figuresOffset = 1024

    /// The board's layout and bytes per slot, as the master that created it
    /// wrote them: a board without them is a legacy one of 1024-byte slots.
    /// A slot size no layout could have is read as legacy too, so a damaged
    /// header never sends a slot's address outside the mapping's pattern.
    public var geometry: (layout: UInt64, slotSize: Int) {
        let layout = word(ScoreboardHeader.layoutWord).pointee
        let size = word(ScoreboardHeader.slotSizeWord).pointee
        guard layout != 0, size >= UInt64(Scoreboard.legacySlotSize), size <= 1 << 16, size % 64 == 0 else {
            return (0, Scoreboard.legacySlotSize)
        }
        return (layout, Int(size))
    }

    /// Records this executable's layout (the master, on a board it creates).
    func setLayout(slotSize: Int) {
        word(ScoreboardHeader.slotSizeWord).pointee = UInt64(slotSize)
        word(ScoreboardHeader.layoutWord).pointee = Scoreboard.layoutVersion
    }
}
