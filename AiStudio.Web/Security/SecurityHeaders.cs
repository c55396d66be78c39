using System.Buffers.Text;
using System.Security.Cryptography;

namespace AiStudio.Web.Security;

/// <summary>
/// The headers every response carries. Scripts come only from this site (plus the one inline import map, which
/// carries a per-request nonce); styles may be inline because MudBlazor writes style attributes and a theme
/// &lt;style&gt; element, and mermaid puts a &lt;style&gt; inside the diagram's SVG. Model output never reaches
/// either: the markdown sanitizer drops every style.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "AiStudio.CspNonce";

    public static string ContentSecurityPolicy(string nonce) => string.Join("; ",
        "default-src 'self'",
        $"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'");

    public const string PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

    /// <summary>The nonce of this request's Content-Security-Policy, for the few inline scripts the framework writes.</summary>
    public static string NonceOf(HttpContext context) =>
        context.Items.TryGetValue(NonceKey, out var nonce) && nonce is string value ? value : "";

    internal static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Base64url: '+' and '/' would be written into the page as character references.
        var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;

        // On starting, not now: the exception handler clears the headers of a failed response before it writes the error page.
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy(nonce);
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        await next(context);
    });
}
