import XCTest
@testable import TrailCore

final class JSONTests: XCTestCase {
    func canonical(_ text: String) throws -> String {
        String(decoding: CanonicalJSON.encode(try JSONParser.parse(text)), as: UTF8.self)
    }

    func testCanonicalFormKeepsNumbersAndSortsKeys() throws {
        XCTAssertEqual(try canonical(#" { "b" : 1.50 , "a" : [ 12345678901234567890123, -0, 1e-7, true, null ] } "#),
                       #"{"a":[12345678901234567890123,-0,1e-7,true,null],"b":1.50}"#)
        XCTAssertEqual(try canonical(#"{"é":1,"z":2,"a":3,"Z":4}"#), #"{"Z":4,"a":3,"z":2,"é":1}"#)
        XCTAssertEqual(try canonical(#""\u00e9\ud83d\ude00 \/ \" \\ \n \u0001""#), "\"é😀 / \\\" \\\\ \\n \\u0001\"")
    }

    func testStrictErrorsCarryOffsets() {
        func error(_ text: String) -> JSONSyntaxError? {
            do { _ = try JSONParser.parse(text); return nil } catch { return error as? JSONSyntaxError }
        }
        XCTAssertEqual(error(#"{"a":1,"a":2}"#)?.message, "duplicate key \"a\"")
        XCTAssertEqual(error(#"{"a":01}"#)?.offset, 6)
        XCTAssertNotNil(error(#"{"a":1,}"#))
        XCTAssertNotNil(error(#"["\ud800"]"#))
        XCTAssertNotNil(error("\"tab\there\""))
        XCTAssertNotNil(error(String(repeating: "[", count: 300) + String(repeating: "]", count: 300)))
        XCTAssertNil(error(String(repeating: "[", count: 200) + String(repeating: "]", count: 200)))
        XCTAssertEqual((try? JSONParser.parse([0x22, 0xff, 0x22]))?.typeName, nil)
    }

    func testFastPathWritesTheSameRecordsAsTheGeneralPath() throws {
        let builder = RecordBuilder(config: DatasetConfig(), file: "t.jsonl", mediaRoot: "/tmp")
        let fast = FastRecordPath(builder: builder)
        let rows = [
            #"{"id":"s1","text":"hello","label":"safe","annotator":"a","guideline":"v1","x":1.50,"y":null,"z":true}"#,
            #"{"z":"last","id":"video/1","label":null,"text":"","big":123456789012345678901234567890}"#,
            #"{"id":17,"label":"spam","note":"ünïcode ✓"}"#,
            #"{ "id" : "spaced" , "text" : "t" }"#,
        ]
        for row in rows {
            var counts = fast.makeCounts()
            let bytes = Array(row.utf8)
            let fastResult = try bytes.withUnsafeBytes { try fast.build($0, line: 1, counts: &counts) }
            let slow = try builder.build(ManifestRow(line: 1, members: try JSONParser.parse(row).objectMembers!))
            XCTAssertNotNil(fastResult, row)
            XCTAssertEqual(fastResult?.sample.record.data, slow.0.record.data, row)
            XCTAssertEqual(fastResult?.sample.key, slow.0.key, row)
            XCTAssertEqual(fastResult?.sample.contentBlobs.map(\.id), slow.0.contentBlobs.map(\.id), row)
            // Both paths count the same labels, annotators and guidelines.
            var expected = SnapshotSummary()
            expected.count(slow.1, roles: builder.roles, sign: 1)
            XCTAssertEqual(fast.summary(counts), expected, row)
        }
        // Shapes the fast path leaves to the general one.
        for row in [#"{"id":"a","label":["x","y"]}"#, #"{"id":"a","text":"esc\n"}"#, #"{"id":"a","a":1,"a":2}"#, #"{"id":1.5}"#, #"[1]"#] {
            var counts = fast.makeCounts()
            let bytes = Array(row.utf8)
            XCTAssertNil(try bytes.withUnsafeBytes { try fast.build($0, line: 1, counts: &counts) }, row)
            XCTAssertEqual(counts.samples, 0, "a refused row is not counted")
        }
    }

    func testRowSplicerGivesTheSameLinesAsDecodingTheRecord() throws {
        let builder = RecordBuilder(config: DatasetConfig(), file: "t.jsonl", mediaRoot: "/tmp")
        let splicer = RowSplicer(idField: "id")
        let rows = [
            #"{"id":"s1","text":"hello \"you\"\n","label":"safe","z":{"b":[1,{"c":null}],"a":"x,y}"},"a":1.50}"#,
            #"{"id":"s2","label":["a","b"],"tex":"before text","texu":"after text","text":"ünï"}"#,
            #"{"id":3,"label":null}"#,
            #"{"id":"s4","text":""}"#,
        ]
        for row in rows {
            let built = try builder.build(ManifestRow(line: 1, members: try JSONParser.parse(row).objectMembers!)).0
            let record = try SampleRecord.decode(built.record.data)
            let texts = built.contentBlobs.map(\.data)
            // The general path: decode, put the text back, encode canonically.
            var members = record.fields
            for (c, text) in zip(record.content, texts) { members.append(JSONMember(c.field, .string(String(decoding: text, as: UTF8.self)))) }
            let expected = CanonicalJSON.encode(.object(members))
            let layout = try XCTUnwrap(RowSplicer.layout(built.record.data), row)
            let spliced = try XCTUnwrap(splicer.row(built.record.data, layout: layout, texts: texts), row)
            XCTAssertEqual(String(decoding: spliced.json, as: UTF8.self), String(decoding: expected, as: UTF8.self), row)
            XCTAssertEqual(expected, CanonicalJSON.encode(try JSONParser.parse(row)), "an export gives back the row: \(row)")
        }
    }

    func testMigrationsListMatchesTheSchemaFolder() throws {
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schema")
        let files = try FileManager.default.contentsOfDirectory(atPath: schema.path).filter { $0.hasSuffix(".sql") }.sorted()
        XCTAssertEqual(files.count, SchemaMigrations.all.count, "every schema/*.sql file must be listed in SchemaMigrations.all and Package.swift")
        for (file, migration) in zip(files, SchemaMigrations.all) {
            let sql = try String(contentsOf: schema.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(Migration(fileName: file, sql: sql)?.version, migration.version)
            XCTAssertEqual(sql, migration.sql, "\(file) differs from the embedded copy")
        }
    }
}

import Foundation
import GitFormat
import SQLite
