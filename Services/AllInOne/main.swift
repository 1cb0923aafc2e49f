// fjord: every Fjord role in one process, with local disk (the embedded default).
import FjordConfig
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let loaded: LoadedConfiguration
do {
    loaded = try ConfigLoader.load(arguments: arguments, environment: ProcessInfo.processInfo.environment) { path in
        try String(contentsOfFile: path, encoding: .utf8)
    }
} catch {
    FileHandle.standardError.write(Data("fjord: \(error)\n".utf8))
    exit(1)
}
if loaded.helpRequested {
    print(GoFlags.usage(program: "fjord"))
    exit(0)
}
if loaded.docsRequested {
    print(ConfigDocs.markdown(), terminator: "")
    exit(0)
}
if loaded.versionRequested {
    print("fjord \(AllInOne.version)")
    exit(0)
}
if loaded.verifyOnly {
    print("fjord: configuration is valid")
    exit(0)
}
if loaded.printConfig {
    FileHandle.standardError.write(Data(ConfigLoader.render(loaded.config).utf8))
}
do {
    try await AllInOne.run(loaded.config)
} catch {
    FileHandle.standardError.write(Data("fjord: \(error)\n".utf8))
    exit(1)
}
