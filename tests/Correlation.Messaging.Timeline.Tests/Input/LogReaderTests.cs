using System.Text;
using Correlation.Messaging.Timeline.Input;

namespace Correlation.Messaging.Timeline.Tests.Input;

public sealed class LogReaderTests
{
    [Fact]
    public void ReadBoundedLines_LineOverTheLimit_IsReportedAsNullAndReadingGoesOn()
    {
        var text = "short\n" + new string('x', 100_000) + "\r\nafter\r\nlast-without-newline";

        var lines = LogReader.ReadBoundedLines(new StringReader(text), maxLength: 1000).ToList();

        lines.ShouldBe(["short", null, "after", "last-without-newline"]);
    }

    [Fact]
    public void ReadBoundedLines_LineSpanningBufferBoundaries_IsKeptWhole()
    {
        var longLine = new string('a', 40_000);

        var lines = LogReader.ReadBoundedLines(new StringReader(longLine + "\n" + longLine), maxLength: 50_000).ToList();

        lines.ShouldBe([longLine, longLine]);
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
