import Paddock

/// The server's clocks under their short name inside this module (Paddock
/// exports them as `SystemClock`, leaving `Clock` to the standard library).
typealias Clock = SystemClock
