import Posix

/// The monotonic and wall clocks (`clock_gettime`), and a sleep that
/// resumes after signals. Not exported as `Clock`, which would hide the
/// standard library's `Clock` protocol in every file that imports Paddock.
public typealias SystemClock = Posix.Clock
