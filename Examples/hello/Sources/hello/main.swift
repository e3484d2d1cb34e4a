import HelloApp
import Paddock

// Master or worker, as started: see Paddock's docs/applications.md.
PaddockMain.run("hello", settings: Hello.settings) { context in try Hello(context) }
