import Foundation
import XCTest
@testable import S3

/// Signature V4 checked against AWS's published examples: the "get-vanilla" cases of the
/// Signature Version 4 test suite and the GET Object example of the S3 API reference
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
final class SignatureV4Tests: XCTestCase {
    let suite = SignatureV4(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                            region: "us-east-1", service: "service")
    let suiteHeaders = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]

    func testGetVanilla() {
        let request = SignatureV4.Request(method: "GET", path: "/", headers: suiteHeaders, payloadHash: Digest.emptySHA256)
        XCTAssertEqual(suite.canonicalRequest(request),
                       "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(suite.stringToSign(request, amzDate: "20150830T123600Z"),
                       "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
        XCTAssertEqual(suite.authorization(request, amzDate: "20150830T123600Z"),
                       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    func testGetVanillaQueryOrderKeyCase() {
        let request = SignatureV4.Request(method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")],
                                          headers: suiteHeaders, payloadHash: Digest.emptySHA256)
        XCTAssertEqual(suite.signature(request, amzDate: "20150830T123600Z"), "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    func testS3GetObjectExample() {
        let signer = SignatureV4(credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1", service: "s3")
        let request = SignatureV4.Request(method: "GET", path: "/test.txt", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", Digest.emptySHA256), ("x-amz-date", "20130524T000000Z"),
        ], payloadHash: Digest.emptySHA256)
        XCTAssertEqual(signer.stringToSign(request, amzDate: "20130524T000000Z"),
                       "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        XCTAssertEqual(signer.signature(request, amzDate: "20130524T000000Z"), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    func testAmzDateAndEncoding() {
        XCTAssertEqual(SignatureV4.amzDate(Date(timeIntervalSince1970: 1_440_938_160)), "20150830T123600Z")
        XCTAssertEqual(SignatureV4.uriEncode("media/ab/c d+é~", keepSlash: true), "media/ab/c%20d%2B%C3%A9~")
        XCTAssertEqual(SignatureV4.canonicalQuery([("uploads", "")]), "uploads=")
    }

    func testCredentialsFromEnvironmentAndProfiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trail-s3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("credentials").path
        try "[default]\naws_access_key_id = AKDEFAULT\naws_secret_access_key = sdefault\n\n[team]\naws_access_key_id=AKTEAM\naws_secret_access_key=steam\naws_session_token = tok\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("config").path
        try "[profile team]\nregion = eu-west-3\n".write(toFile: config, atomically: true, encoding: .utf8)
        XCTAssertEqual(AWSCredentials.standard(environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_SHARED_CREDENTIALS_FILE": file]),
                       AWSCredentials(accessKeyID: "A", secretAccessKey: "S"))
        XCTAssertEqual(AWSCredentials.standard(environment: ["AWS_SHARED_CREDENTIALS_FILE": file]), AWSCredentials(accessKeyID: "AKDEFAULT", secretAccessKey: "sdefault"))
        let team = ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_CONFIG_FILE": config, "AWS_PROFILE": "team"]
        XCTAssertEqual(AWSCredentials.standard(environment: team), AWSCredentials(accessKeyID: "AKTEAM", secretAccessKey: "steam", sessionToken: "tok"))
        XCTAssertNil(AWSCredentials.standard(environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "none"]))
        XCTAssertEqual(S3Endpoint.standard(environment: team), S3Endpoint(scheme: "https", authority: "s3.eu-west-3.amazonaws.com", region: "eu-west-3", pathStyle: false))
        XCTAssertEqual(S3Endpoint.standard(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:8333", "HOME": dir.path]),
                       S3Endpoint(scheme: "http", authority: "127.0.0.1:8333", region: "us-east-1", pathStyle: true))
    }
}
