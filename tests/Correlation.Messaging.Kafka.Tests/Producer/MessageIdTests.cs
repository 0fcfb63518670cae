using System.Text;
using Correlation.Messaging.Kafka.Internal;

namespace Correlation.Messaging.Kafka.Tests.Producer;

public sealed class MessageIdTests
{
    [Fact]
    public void NewMessageId_IsUuidV7TextWithCurrentTimestamp()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var text = Encoding.UTF8.GetString(KafkaHeaders.NewMessageId());
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        text.Length.ShouldBe(36);
        var guid = Guid.Parse(text);
        guid.Version.ShouldBe(7);
        guid.Variant.ShouldBeInRange(8, 11);
        var bytes = guid.ToByteArray(bigEndian: true);
        var milliseconds = bytes.Take(6).Aggregate(0L, (acc, b) => (acc << 8) | b);
        milliseconds.ShouldBeInRange(before, after);
    }

    [Fact]
    public void NewMessageId_ManyCalls_AllDistinct()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => Encoding.ASCII.GetString(KafkaHeaders.NewMessageId())).ToHashSet();

        ids.Count.ShouldBe(100_000);
    }
}
