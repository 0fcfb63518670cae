using System.Text;
using Confluent.Kafka;

namespace Correlation.Messaging.Kafka.Tests.Fakes;

public static class Records
{
    public static ConsumeResult<string, string> Consumed(Headers? headers, string topic = "orders", int partition = 2, long offset = 41, string value = "v") => new()
    {
        Topic = topic,
        Partition = new Partition(partition),
        Offset = new Offset(offset),
        Message = new Message<string, string> { Key = "k", Value = value, Headers = headers },
    };

    public static Headers Headers(params (string Name, string? Value)[] headers)
    {
        var result = new Headers();
        foreach (var (name, value) in headers)
        {
            result.Add(name, value is null ? null : Encoding.UTF8.GetBytes(value));
        }

        return result;
    }

    public static Headers RawHeaders(params (string Name, byte[]? Value)[] headers)
    {
        var result = new Headers();
        foreach (var (name, value) in headers)
        {
            result.Add(name, value);
        }

        return result;
    }

    public static string? Text(this Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : null;

    public static int CountOf(this Headers headers, string name) => headers.Count(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
}
