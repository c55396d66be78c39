using System.Net;
using System.Text.RegularExpressions;
using AiStudio.Tests.Accounts;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AiStudio.Tests.Security;

/// <summary>Pages, the API, errors, static files and the webhook all carry the security headers.</summary>
public sealed partial class SecurityHeadersTests(AccountHost host) : IClassFixture<AccountHost>
{
    public static TheoryData<string, string> Requests => new()
    {
        { "GET", "" },
        { "GET", "Account/Login" },
        { "GET", "pipeline" },
        { "GET", "no-such-page" },
        { "GET", "api/builds" },
        { "GET", "favicon.png" },
        { "POST", "billing/webhook" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task AnyResponse_CarriesTheSecurityHeaders(string method, string path)
    {
        using var http = new HttpClient { BaseAddress = host.Address };
        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("{}") : null });

        var csp = Header(response, "Content-Security-Policy");
        foreach (var directive in new[]
                 {
                     "default-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "connect-src 'self'",
                     "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'",
                 })
        {
            Assert.Contains(directive, csp);
        }

        Assert.Matches(ScriptSrc(), csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("same-origin", Header(response, "Referrer-Policy"));
        Assert.Contains("camera=()", Header(response, "Permissions-Policy"));

        // Development over plain http: no HSTS (a browser would pin https on the developer's localhost).
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Page_ImportMapCarriesThisRequestsNonce_NewOneEachRequest()
    {
        using var http = new HttpClient { BaseAddress = host.Address };

        var nonces = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var response = await http.GetAsync("");
            var nonce = ScriptSrc().Match(Header(response, "Content-Security-Policy")).Groups[1].Value;
            Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\">", await response.Content.ReadAsStringAsync());
            nonces.Add(nonce);
        }

        Assert.NotEqual(nonces[0], nonces[1]);
    }

    [Fact]
    public async Task ProductionOverHttps_SendsHsts()
    {
        await using var app = new HttpsAppFactory();
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = HttpsAppFactory.Address });

        using var response = await http.GetAsync("Account/Login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000", Header(response, "Strict-Transport-Security"));
        Assert.Contains("default-src 'self'", Header(response, "Content-Security-Policy"));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : throw new Xunit.Sdk.XunitException($"No {name} header on {response.RequestMessage?.RequestUri}.");

    // Scripts from this site and the nonce only: no 'unsafe-inline', no 'unsafe-eval', no host.
    [GeneratedRegex("script-src 'self' 'nonce-([A-Za-z0-9_-]{22})'(;|$)")]
    private static partial Regex ScriptSrc();
}
