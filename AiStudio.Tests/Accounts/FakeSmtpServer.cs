using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace AiStudio.Tests.Accounts;

/// <summary>
/// A minimal SMTP server on 127.0.0.1 that accepts every message and keeps it (enough of RFC 5321 for
/// System.Net.Mail: EHLO/HELO, MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT; no TLS, no AUTH).
/// </summary>
public sealed partial class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedEmail> _received = new();
    private readonly Task _acceptLoop;

    public FakeSmtpServer()
    {
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyCollection<ReceivedEmail> Received => _received.ToArray();

    /// <summary>Waits for a message to <paramref name="to"/> whose subject contains <paramref name="subjectPart"/>.</summary>
    public async Task<ReceivedEmail> WaitForAsync(string to, string subjectPart, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var match = _received.FirstOrDefault(m => m.To.Contains(to, StringComparer.OrdinalIgnoreCase) && m.Subject.Contains(subjectPart, StringComparison.Ordinal));
            if (match is not null)
            {
                return match;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No email to {to} about \"{subjectPart}\" arrived; received: {string.Join(", ", _received.Select(m => m.Subject))}");
            }

            await Task.Delay(50);
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));

        string? from = null;
        var to = new List<string>();
        try
        {
            await writer.WriteLineAsync("220 fake-smtp ESMTP ready");
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-fake-smtp");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO":
                    case "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RSET":
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "MAIL":
                        from = Address(line);
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        to.Add(Address(line));
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(timeout.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        _received.Enqueue(ReceivedEmail.Parse(from ?? "", to.ToList(), data.ToString()));
                        from = null;
                        to.Clear();
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 Command not implemented");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the test ended.
        }
    }

    private static string Address(string line) => AddressPattern().Match(line) is { Success: true } m ? m.Groups[1].Value : "";

    [GeneratedRegex("<([^>]*)>")]
    private static partial Regex AddressPattern();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        _stop.Dispose();
    }
}

/// <summary>One message as it arrived: envelope, headers, and the body decoded from its transfer encoding.</summary>
public sealed partial record ReceivedEmail(string From, IReadOnlyList<string> To, string Subject, string Body, string Raw)
{
    public static ReceivedEmail Parse(string from, IReadOnlyList<string> to, string raw)
    {
        var split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headerText = split < 0 ? raw : raw[..split];
        var body = split < 0 ? "" : raw[(split + 4)..];

        // Unfold continued header lines, then read them.
        var headers = Regex.Replace(headerText, "\r\n[ \t]+", " ").Split("\r\n")
            .Select(h => h.Split(':', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);

        var encoding = headers.GetValueOrDefault("Content-Transfer-Encoding", "7bit").ToLowerInvariant();
        var decoded = encoding switch
        {
            "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(Regex.Replace(body, @"\s", ""))),
            "quoted-printable" => QuotedPrintable(body),
            _ => body,
        };
        return new ReceivedEmail(from, to, DecodeHeader(headers.GetValueOrDefault("Subject", "")), decoded, raw);
    }

    /// <summary>The first link in the body, HTML-decoded, as a person's mail program would follow it.</summary>
    public Uri FirstLink() =>
        new(WebUtility.HtmlDecode(LinkPattern().Match(Body) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"No link in: {Body}")));

    [GeneratedRegex("href='([^']*)'")]
    private static partial Regex LinkPattern();

    // RFC 2047 encoded words, as System.Net.Mail writes a UTF-8 subject: =?utf-8?B?...?= or =?utf-8?Q?...?=
    private static string DecodeHeader(string value) => Regex.Replace(value, @"=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*", m =>
        m.Groups[2].Value is "B" or "b"
            ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[3].Value))
            : QuotedPrintable(m.Groups[3].Value.Replace('_', ' ')));

    private static string QuotedPrintable(string text)
    {
        var joined = text.Replace("=\r\n", "");
        var bytes = new List<byte>();
        for (var i = 0; i < joined.Length; i++)
        {
            if (joined[i] == '=' && i + 2 < joined.Length && Uri.IsHexDigit(joined[i + 1]) && Uri.IsHexDigit(joined[i + 2]))
            {
                bytes.Add(Convert.ToByte(joined.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)joined[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
