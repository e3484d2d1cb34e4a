import Paddock

/// `paddock migrate` and `paddock seed`, run by the same binary as the server.
public enum UsersCommands {
    public static let usage = """
    usage: paddock migrate [settings...]
           paddock seed [--users N] [--posts-per-user N] [--force] [settings...]
    """

    /// Both commands, for `PaddockMain.run(commands:)`.
    public static let all: [ApplicationCommand] = [
        ApplicationCommand("migrate", usage: usage, summary: "Apply the database migrations, then exit.") { run in
            try AppCommands.migrate(configuration: run.configuration, logger: run.logger)
        },
        ApplicationCommand("seed", usage: usage, summary: "Fill an empty database with sample users and posts.",
                           options: ["--users": true, "--posts-per-user": true, "--force": false]) { run in
            try AppCommands.seed(configuration: run.configuration, users: try run.count("--users", default: 1000),
                                 postsPerUser: try run.count("--posts-per-user", default: 10),
                                 force: run.options["--force"] != nil) { line in run.say(line) }
        },
    ]
}

extension UsersApplication {
    /// The users application as the `users` entry of `PaddockMain.run(applications:)`.
    public static let entry = ApplicationEntry("users") { context in
        try UsersApplication(configuration: context.configuration, logger: context.logger)
    }
}
