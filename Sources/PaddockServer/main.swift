import AppCore
import Paddock
import PaddockSQL

// `paddock`: the built-in applications, `users` (the default) and `echo`,
// with the users application's commands. Master or worker, as started.
PaddockMain.run(applications: [UsersApplication.entry, ApplicationEntry("echo") { _ in EchoApplication() }],
                commands: UsersCommands.all, libraries: DatabaseLibraries.all)
