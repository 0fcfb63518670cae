using System.Net.Sockets;
using System.Text;

namespace Correlation.Messaging.AspNetCore.Tests.Infrastructure;

/// <summary>Sends a hand-written HTTP/1.1 request, for what HttpClient cannot send (the same header on two lines).</summary>
public static class RawHttp
{
    public static async Task<string> GetAsync(Uri baseAddress, string path, IEnumerable<string> headerLines)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port, TestContext.Current.CancellationToken);
        await using var stream = tcp.GetStream();
        var request = new StringBuilder()
            .Append("GET ").Append(path).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(baseAddress.Authority).Append("\r\n")
            .Append("Connection: close\r\n");
        foreach (var line in headerLines)
        {
            request.Append(line).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.Append("\r\n").ToString()), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
    }
}
