// What an application needs from the server, and nothing else: the
// scoreboard, the worker contract and the event loop stay internal.
//
// Several names are common in other Swift server libraries (swift-http-types'
// `HTTPRequest`/`HTTPResponse`, swift-log's `Logger`, Hummingbird's and
// Vapor's `Application` and `Router`). In a file that imports one of them
// too, qualify with the module name: `Paddock.HTTPRequest`, `Paddock.Logger`.
// There is no type called `Paddock`, so the module name always means this module.

// The contract between the server and an application.
@_exported import protocol ServerCore.Application
@_exported import struct ServerCore.HTTPRequest
@_exported import struct ServerCore.HTTPResponse
@_exported import struct ServerCore.HTTPHeaders

// JSON: the built-in writer (the fast path) and the parser's value tree.
@_exported import struct ServerCore.JSONWriter
@_exported import enum ServerCore.JSONValue
@_exported import struct ServerCore.JSONParseError

// Logging.
@_exported import class ServerCore.Logger
@_exported import enum ServerCore.LogLevel
@_exported import enum ServerCore.Timestamp

// Settings: the table an application adds its own rows to, and the values.
@_exported import struct ServerCore.Configuration
@_exported import enum ServerCore.Settings
@_exported import struct ServerCore.Setting
@_exported import struct ServerCore.SettingSpec
@_exported import enum ServerCore.SettingType
@_exported import struct ServerCore.SettingValue
@_exported import protocol ServerCore.SettingValueType
@_exported import protocol ServerCore.SettingChoice
@_exported import struct ServerCore.ByteCount
@_exported import enum ServerCore.ValueProblem
@_exported import enum ServerCore.AutoMigrate
@_exported import enum ServerCore.LogFormat
@_exported import enum ServerCore.ReloadPolicy
@_exported import struct ServerCore.EnvironmentAlias
@_exported import struct ServerCore.ConfigError
@_exported import enum ServerCore.DatabaseURL

// Hashes, MACs and randomness from libcrypto. The clocks are `SystemClock`
// (SystemClock.swift), not `Clock`, the standard library's protocol.
@_exported import enum ServerCore.Digest

// The built-in echo application (proxies and load balancers testing).
@_exported import class Worker.EchoApplication
