// `db_prepared_statements` is declared in the settings table, in ServerCore,
// so the mode is defined there; PaddockSQL's users name it through this module.
@_exported import enum ServerCore.PostgresStatementMode
