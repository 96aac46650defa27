// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Trail",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "trail", targets: ["trail"]),
        .library(name: "TrailCore", targets: ["TrailCore"]),
        .library(name: "TrailReports", targets: ["TrailReports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries from Debian. Only the `Git` and `SQLite` targets import these.
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CDeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Git's object format in pure Swift: ids, hashing, tree and commit encodings, and the
        // parallel pack writer, pack reader, pack inventory and pruner. No libgit2.
        .target(name: "GitFormat", dependencies: ["CDeflate", "CCrypto"]),
        // The safe layer over libgit2: repository, references, revwalk, remotes; and Trail's own
        // push (git's receive-pack protocol over git://, smart HTTP or a path).
        .target(name: "Git", dependencies: ["CGit2", "GitFormat", "HTTP"]),
        // The safe layer over sqlite3: connection, statements, migrator.
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        // One libcurl handle as a Swift value: the HTTP exchanges of the S3 client and of push.
        .target(name: "HTTP", dependencies: ["CCurl"]),
        // The S3 client over libcurl: Signature V4, PUT (multipart), GET, HEAD, DELETE, retries.
        .target(name: "S3", dependencies: ["HTTP", "CCrypto"]),
        // The core library: returns values, never prints.
        .target(name: "TrailCore", dependencies: ["Git", "GitFormat", "SQLite", "S3"],
                exclude: ["schema/record.schema.json"],
                resources: [.embedInCode("schema/001_sync_state.sql"), .embedInCode("schema/002_lineage.sql"),
                            .embedInCode("schema/003_lean_label_events.sql"),
                            .embedInCode("schema/004_erasures.sql"),
                            .embedInCode("schema/005_judgments.sql"),
                            .embedInCode("schema/006_change_ranges.sql")]),
        // HTML reports: pure functions from the core's values to self-contained pages.
        .target(name: "TrailReports", dependencies: ["TrailCore"]),
        // The command line: parses arguments, formats values.
        .executableTarget(name: "trail", dependencies: [
            "TrailCore", "TrailReports",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Generates the README demo's moderation dataset (no Python needed).
        .executableTarget(name: "trail-demo-data", dependencies: ["TrailCore"]),

        .testTarget(name: "GitTests", dependencies: ["Git", "GitFormat"]),
        .testTarget(name: "TrailCoreTests", dependencies: ["TrailCore", "GitFormat"]),
        .testTarget(name: "S3Tests", dependencies: ["S3"]),
        // Goldens/ holds expected outputs, read by path (scripts/update-help.sh writes the help ones).
        .testTarget(name: "TrailEndToEndTests", dependencies: ["GitFormat"], exclude: ["Goldens"]),
    ],
    swiftLanguageModes: [.v5]
)
