using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace AiStudio.Core.ApiTokens;

/// <summary>The token's wire format: "ast_" followed by 32 random bytes in base64url (43 characters).</summary>
internal static class ApiTokenSecret
{
    public const string Scheme = "ast_";
    private const int SecretBytes = 32;
    private static readonly SearchValues<char> Base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static readonly int Length = Scheme.Length + Base64Url.GetEncodedLength(SecretBytes);

    public static string New() => Scheme + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    public static bool IsWellFormed(string? token) =>
        token is not null
        && token.Length == Length
        && token.StartsWith(Scheme, StringComparison.Ordinal)
        && !token.AsSpan(Scheme.Length).ContainsAnyExcept(Base64UrlAlphabet);

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
