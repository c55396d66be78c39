using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AiStudio.Core.Audit;

/// <summary>
/// The hash of one link: SHA-256 over a canonical text of the chain position (sequence, previous hash) and
/// every recorded field, id included. Each field is written as <c>length:value</c> (<c>~</c> for null) on its
/// own line, so no two different events serialise alike; times are UTC ticks, decimals without trailing zeros,
/// so what the database gives back hashes exactly as what was written.
/// </summary>
public static class AuditChainHash
{
    /// <summary>The "previous hash" of event #1.</summary>
    public static readonly string Genesis = new('0', 64);

    private const string Version = "aistudio-audit-v1";

    [ThreadStatic]
    private static StringBuilder? t_text;

    [ThreadStatic]
    private static Encoder? t_encoder;

    public static string Compute(AuditEvent e, long sequence, string previousHash)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Compute(e, sequence, previousHash, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>True when <paramref name="storedHash"/> is the hash of the event as stored (its own sequence and previous hash).</summary>
    public static bool Matches(AuditEvent e, string? storedHash)
    {
        if (e.Sequence is not { } sequence || e.PreviousHash is null || storedHash is not { Length: SHA256.HashSizeInBytes * 2 })
        {
            return false;
        }

        Span<byte> computed = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
        Compute(e, sequence, e.PreviousHash, computed);
        return Convert.FromHexString(storedHash, stored, out _, out var written) == OperationStatus.Done
            && written == stored.Length
            && computed.SequenceEqual(stored);
    }

    private static void Compute(AuditEvent e, long sequence, string previousHash, Span<byte> destination)
    {
        var text = t_text ??= new StringBuilder(1024);
        text.Clear();
        text.Append(Version).Append('\n');
        Number(text, sequence);
        Text(text, previousHash);
        Number(text, e.Id);
        Number(text, e.OccurredAt.UtcTicks);
        Text(text, e.ActorId);
        Text(text, e.ActorName);
        Text(text, e.Action);
        Text(text, e.EntityType);
        Text(text, e.EntityId);
        Id(text, e.ProjectId);
        Id(text, e.BuildId);
        Text(text, e.Before);
        Text(text, e.After);
        Text(text, e.Detail);
        Number(text, e.PromptVersion);
        Text(text, e.ModelId);
        Number(text, e.InputTokens);
        Number(text, e.OutputTokens);
        Text(text, e.Cost?.ToString("0.############################", CultureInfo.InvariantCulture));

        var length = 0;
        foreach (var chunk in text.GetChunks())
        {
            length += Encoding.UTF8.GetMaxByteCount(chunk.Length);
        }

        // One encoder across the builder's chunks, so a surrogate pair split between two chunks encodes whole.
        var encoder = t_encoder ??= new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
        encoder.Reset();
        var buffer = ArrayPool<byte>.Shared.Rent(length + 4);
        try
        {
            var written = 0;
            foreach (var chunk in text.GetChunks())
            {
                written += encoder.GetBytes(chunk.Span, buffer.AsSpan(written), flush: false);
            }

            written += encoder.GetBytes(ReadOnlySpan<char>.Empty, buffer.AsSpan(written), flush: true);

            SHA256.HashData(buffer.AsSpan(0, written), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The verifier hashes a million events in a row: numbers and ids are formatted straight into the builder,
    // with no string per field, writing exactly what ToString(InvariantCulture) and ToString("D") wrote.
    private static void Number(StringBuilder text, long? value)
    {
        if (value is { } v)
        {
            text.Append(CultureInfo.InvariantCulture, $"{v}");
        }
        else
        {
            text.Append('~');
        }

        text.Append('\n');
    }

    private static void Id(StringBuilder text, Guid? value)
    {
        if (value is { } id)
        {
            text.Append(CultureInfo.InvariantCulture, $"36:{id:D}");
        }
        else
        {
            text.Append('~');
        }

        text.Append('\n');
    }

    private static void Text(StringBuilder text, string? value)
    {
        if (value is null)
        {
            text.Append('~');
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Length}").Append(':').Append(value);
        }

        text.Append('\n');
    }
}
