using System.Text;
using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Tests.Input;

public sealed class LogReaderTests
{
    [Fact]
    public void Read_LineOverTheLimit_IsCountedAndReadingGoesOn()
    {
        // Lines over the buffer (1 MiB) and over the line limit (2 MiB here), then good lines, the last without a newline.
        var huge = "{\"correlation_id\":\"abc\",\"message\":\"" + new string('x', 5_000_000) + "\"}";
        var text = LogLines.Flat(0, "abc", "svc", "short") + "\n" + huge + "\r\n" + LogLines.Flat(1, "abc", "svc", "after") + "\r\n" + LogLines.Flat(2, "abc", "svc", "last-without-newline");
        var reader = new LogReader(new LogLineParser(maxLineLength: 2 * 1024 * 1024));
        var records = new List<LogRecord>();

        reader.Read(new StringReader(text), "t", null, records);

        records.Select(r => r.Step).ShouldBe(["short", "after", "last-without-newline"]);
        records.Select(r => r.LineNumber).ShouldBe([1L, 3L, 4L]);
        reader.Statistics.TooLong.ShouldBe(1);
        reader.Statistics.Malformed.ShouldBe(1);
    }

    [Fact]
    public void Read_LineSpanningBufferBoundaries_IsKeptWhole()
    {
        // 1.5 MB lines: longer than the first buffer, shorter than the line limit.
        var longLine = LogLines.Flat(0, "abc", "svc", new string('a', 1_500_000));

        var reader = new LogReader(new LogLineParser());
        var records = new List<LogRecord>();
        reader.Read(new StringReader(longLine + "\n" + longLine), "t", null, records);

        records.Count.ShouldBe(2);
        records.ShouldAllBe(r => r.Message.Length == 1_500_000);
        reader.Statistics.Malformed.ShouldBe(0);
    }

    [Fact]
    public void Read_GarbageMixedWithGoodLines_CountsMalformedAndKeepsTheGoodOnes()
    {
        var bytes = new List<byte>();
        void Line(string s) => bytes.AddRange(Encoding.UTF8.GetBytes(s + "\n"));
        Line(LogLines.Flat(0, "abc", "api", "first", messageId: "m1"));
        Line("this is not json");
        bytes.AddRange([0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x80, 0x9F, 0x0A]); // invalid UTF-8 and NUL, then newline
        Line("[\"array\"]");
        Line(string.Empty);
        Line("""{"correlation_id":"abc","message":"no timestamp"}""");
        Line("""{"time":"2026-11-21T23:59:01Z","message":"uncorrelated"}""");
        Line("{\"time\":\"2026-11-21T23:59:01Z\",\"correlation_id\":\"abc\",\"message\":\"" + new string('y', 3000) + "\"}");
        Line(LogLines.Flat(5, "abc", "worker", "second", messageId: "m2", causationId: "m1"));
        var reader = new LogReader(new LogLineParser(maxLineLength: 2000));
        var records = new List<LogRecord>();

        reader.Read(new StreamReader(new MemoryStream(bytes.ToArray()), Encoding.UTF8), "garbage.log", "garbage", records);

        records.Select(r => r.Step).ShouldBe(["first", "no timestamp", "second"]);
        records.Select(r => r.LineNumber).ShouldBe([1L, 6L, 9L]);
        records.Select(r => r.HasTimestamp).ShouldBe([true, false, true]);
        reader.Statistics.Malformed.ShouldBe(4);
        reader.Statistics.NoTimestamp.ShouldBe(1);
        reader.Statistics.TooLong.ShouldBe(1);
        reader.Statistics.WithoutCorrelationId.ShouldBe(1);
        reader.Statistics.Records.ShouldBe(3);
    }

    [Fact]
    public void Read_Filter_KeepsOnlyAcceptedRecordsButCountsAll()
    {
        var reader = new LogReader(new LogLineParser());
        var records = new List<LogRecord>();
        var text = LogLines.Flat(0, "keep", "a", "x") + "\n" + LogLines.Flat(1, "drop", "a", "y");

        reader.Read(new StringReader(text), "t", null, records, r => r.CorrelationId == "keep");

        records.ShouldHaveSingleItem().CorrelationId.ShouldBe("keep");
        reader.Statistics.Records.ShouldBe(2);
    }
}
