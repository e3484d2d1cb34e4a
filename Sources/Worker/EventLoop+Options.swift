extension EventLoop.Options {
    /// Every connection's timeouts, from the settings.
    var connectionTimeouts: ConnectionMachine.Timeouts {
        ConnectionMachine.Timeouts(header: headerTimeout, body: bodyTimeout, keepAlive: keepalive,
                                   linger: lingerTime, drainIdle: min(keepalive, drainIdleGrace))
    }
}
