using Amazon.Runtime;
using Correlation.Messaging.Sqs.Client.Internal;

namespace Correlation.Messaging.Sqs.Tests.Client;

public sealed class SigV4Tests
{
    // AWS SigV4 test suite, "get-vanilla": https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTime SignedAt = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    [Fact]
    public void Sign_GetVanillaVector_MatchesPublishedAuthorizationHeader()
    {
        var canonical = SigV4.BuildCanonicalRequest(
            "GET",
            "/",
            string.Empty,
            [new("Host", "example.amazonaws.com"), new("X-Amz-Date", SigV4.FormatDate(SignedAt))],
            SigV4.HashPayload([]),
            out var signedHeaders);

        canonical.ShouldBe(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

        var authorization = SigV4.Sign(new ImmutableCredentials(AccessKey, SecretKey, null), "us-east-1", SignedAt, "service", signedHeaders, canonical);

        authorization.ShouldBe(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, " +
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    [Fact]
    public void BuildCanonicalRequest_UnsortedMixedCaseHeaders_SortsLowercasesAndTrims()
    {
        var canonical = SigV4.BuildCanonicalRequest(
            "POST", "/", string.Empty, [new("X-Amz-Target", " AmazonSQS.SendMessage "), new("Content-Type", "a  b")], "h", out var signed);

        signed.ShouldBe("content-type;x-amz-target");
        canonical.ShouldBe("POST\n/\n\ncontent-type:a b\nx-amz-target:AmazonSQS.SendMessage\n\ncontent-type;x-amz-target\nh");
    }
}
