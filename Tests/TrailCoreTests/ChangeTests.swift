import XCTest
import GitFormat
@testable import TrailCore

/// The byte-level reading of records (`PlainRecordFields`) against decoding them in full: the
/// same changes, the same counts, and a refusal wherever a value needs the general path.
final class ChangeTests: XCTestCase {
    let config = DatasetConfig()

    func record(_ row: String) throws -> (id: ObjectID, bytes: [UInt8]) {
        let builder = RecordBuilder(config: config, file: "t.jsonl", mediaRoot: "/tmp")
        let built = try builder.build(ManifestRow(line: 1, members: try JSONParser.parse(row).objectMembers!)).0
        return (built.record.id, built.record.data)
    }

    func general(_ before: (id: ObjectID, bytes: [UInt8])?, _ after: (id: ObjectID, bytes: [UInt8])?) throws -> SampleChange {
        SampleChange.between(try before.map { try SampleRecord.decode($0.bytes) }, try after.map { try SampleRecord.decode($0.bytes) },
                             oldConfig: config, newConfig: config, recordBefore: before?.id, recordAfter: after?.id)
    }

    func plain(_ r: (id: ObjectID, bytes: [UInt8])?) -> (id: ObjectID, bytes: [UInt8], fields: PlainRecordFields?)? {
        r.map { ($0.id, $0.bytes, PlainRecordFields($0.bytes, keys: .init(config))) }
    }

    func testPlainReadingGivesTheSameChangesAsDecoding() throws {
        let base = #"{"annotator":"a1","guideline":"v3.1","id":"s1","label":"safe","score":0.5,"text":"hello"}"#
        let pairs: [(String?, String?, ChangeKind)] = [
            (nil, base, .added),
            (base, nil, .removed),
            (base, #"{"annotator":"adj","guideline":"v3.2","id":"s1","label":"spam","score":0.5,"text":"hello"}"#, .relabeled),
            (base, #"{"annotator":"a1","guideline":"v3.1","id":"s1","label":"safe","score":0.5,"text":"hello!"}"#, .contentChanged),
            (base, #"{"annotator":"a1","guideline":"v3.1","id":"s1","label":"safe","score":0.9,"text":"hello"}"#, .metadataChanged),
            (base, #"{"annotator":null,"guideline":"v3.1","id":"s1","label":null,"score":0.5,"text":"hello"}"#, .relabeled),
            (#"{"id":42,"label":"safe"}"#, #"{"id":42,"label":"spam","text":"now with text"}"#, .relabeled),
            (#"{"id":"s2","label":"safe"}"#, #"{"id":"s2","label":"safe","text":"now with text"}"#, .contentChanged),
        ]
        for (old, new, kind) in pairs {
            let before = try old.map(record), after = try new.map(record)
            let fast = try XCTUnwrap(SampleChange.plain(plain(before), plain(after)), "\(old ?? "-") → \(new ?? "-")")
            XCTAssertEqual(fast, try general(before, after), "\(old ?? "-") → \(new ?? "-")")
            XCTAssertEqual(fast.kind, kind)
            XCTAssertEqual(try SampleChange.between(recordBytes: before, after, oldConfig: config, newConfig: config), fast)
        }
    }

    func testValuesThatNeedTheGeneralPathAreRefusedAndStillRight() throws {
        let base = try record(#"{"annotator":"a1","id":"s1","label":"safe","text":"hello"}"#)
        for row in [#"{"annotator":"a \"q\"","id":"s1","label":"safe","text":"hello"}"#,
                    #"{"annotator":"a1","id":"s1","label":["safe","spam"],"text":"hello"}"#,
                    #"{"annotator":"a1","id":"s1","label":"safe","tags":"x","text":"hello","guideline":7}"#,
                    #"{"annotator":"a1","id":"s\n1","label":"safe"}"#] {
            let after = try record(row)
            XCTAssertNil(PlainRecordFields(after.bytes, keys: .init(config)), row)
            XCTAssertNil(SampleChange.plain(plain(base), plain(after)), row)
            XCTAssertEqual(try SampleChange.between(recordBytes: base, after, oldConfig: config, newConfig: config),
                           try general(base, after), row)
        }
    }

    func testPlainCountsMatchTheRecordsCountedFields() throws {
        let roles = FieldRoles(config)
        for row in [#"{"annotator":"a1","guideline":"v3.1","id":"s1","label":"safe","text":"x"}"#,
                    #"{"annotator":null,"guideline":"v3.1","id":"s1","label":null}"#,
                    #"{"id":"s1","label":"spam","other":"y"}"#] {
            let r = try record(row)
            let keys = PlainRecordFields.Keys(config)
            let fields = try XCTUnwrap(PlainRecordFields(r.bytes, keys: keys), row)
            var fast = SnapshotSummary(), slow = SnapshotSummary()
            fast.count(fields.counted(keys), roles: roles, sign: -1)
            slow.count(try SampleRecord.countedFields(r.bytes, roles: roles), roles: roles, sign: -1)
            XCTAssertEqual(fast, slow, row)
            XCTAssertEqual(fields.contentBlobs, try SampleRecord.decode(r.bytes).content.map(\.blob), row)
        }
        // Counts taken out and put back cancel, and a label that reaches zero disappears.
        var total = SnapshotSummary(), out = SnapshotSummary()
        total.count([JSONMember("label", .string("safe"))], roles: roles, sign: 1)
        out.count([JSONMember("label", .string("safe"))], roles: roles, sign: -1)
        total.merge(out)
        XCTAssertEqual(total, SnapshotSummary())
    }
}
