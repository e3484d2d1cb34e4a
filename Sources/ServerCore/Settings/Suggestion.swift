/// "Did you mean" for mistyped keys and flags, by edit distance.
enum Suggestion {
    /// The candidate closest to `word`, if it is close enough to be a typo:
    /// at most one edit per three characters (and at most three). Ties go to
    /// the earlier candidate, so the answer is stable.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let allowed = min(3, word.count / 3)
        guard allowed > 0 else { return nil }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let d = distance(word, candidate)
            if d <= allowed, d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        return best?.candidate
    }

    /// Levenshtein distance over characters, two rows at a time.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

}
