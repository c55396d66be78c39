using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace AiStudio.Tests.Accounts;

/// <summary>
/// A browser without JavaScript: keeps cookies, does not follow redirects, and submits the static SSR account
/// forms as they are served (their _handler and antiforgery token scraped from the page).
/// </summary>
public sealed class AccountClient : IDisposable
{
    public const string IdentityCookie = ".AspNetCore.Identity.Application";

    private readonly CookieContainer _cookies = new();
    private readonly HttpClient _http;

    public AccountClient(Uri address)
        : this(address, cookies => new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
    {
    }

    /// <param name="address">The app's root address.</param>
    /// <param name="handler">What reaches the app (e.g. an in-memory test server's handler), keeping cookies in the container given.</param>
    public AccountClient(Uri address, Func<CookieContainer, HttpMessageHandler> handler)
    {
        Address = address;
        _http = new HttpClient(new SetCookieRecorder(SetCookieHeaders) { InnerHandler = handler(_cookies) }) { BaseAddress = address };
    }

    public Uri Address { get; }

    /// <summary>Every Set-Cookie header the app sent, as sent (the cookie container forgets SameSite).</summary>
    public List<string> SetCookieHeaders { get; } = [];

    public bool HasIdentityCookie => _cookies.GetCookies(Address).Any(c => c.Name == IdentityCookie);

    public async Task<(HttpStatusCode Status, string Html)> GetAsync(string uri)
    {
        using var response = await _http.GetAsync(uri);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Loads <paramref name="page"/>, fills the form named <paramref name="formName"/> (its Blazor form name, or
    /// its action for a plain form) and posts it.
    /// </summary>
    /// <returns>The status, the redirect target if any, and the body.</returns>
    /// <param name="withAntiforgeryToken">False posts the form as a forged cross-site form would: without the page's token.</param>
    public async Task<FormResult> SubmitAsync(string page, string formName, IDictionary<string, string> fields, bool withAntiforgeryToken = true)
    {
        var (status, html) = await GetAsync(page);
        Assert.True(status == HttpStatusCode.OK, $"GET {page} answered {status}.");
        var form = FindForm(html, formName);

        var values = form.Elements.OfType<IHtmlInputElement>()
            .Where(i => i.Type == "hidden" && !string.IsNullOrEmpty(i.Name))
            .ToDictionary(i => i.Name!, i => i.Value);
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        if (!withAntiforgeryToken)
        {
            values.Remove("__RequestVerificationToken");
        }

        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? page : form.GetAttribute("action")!;
        using var response = await _http.PostAsync(action, new FormUrlEncodedContent(values));
        return new FormResult(response.StatusCode, response.Headers.Location, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Posts <paramref name="fields"/> to <paramref name="uri"/> as they are, with no page first (so no antiforgery token).</summary>
    public async Task<FormResult> PostFormAsync(string uri, IDictionary<string, string> fields)
    {
        using var response = await _http.PostAsync(uri, new FormUrlEncodedContent(fields));
        return new FormResult(response.StatusCode, response.Headers.Location, await response.Content.ReadAsStringAsync());
    }

    public Task<FormResult> LogInAsync(string email, string password) =>
        SubmitAsync("Account/Login", "login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    public Task<FormResult> RegisterAsync(string email, string password) =>
        SubmitAsync("Account/Register", "register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    private static IHtmlFormElement FindForm(string html, string formName)
    {
        var document = new HtmlParser().ParseDocument(html);
        return document.Forms.FirstOrDefault(f =>
                f.Elements.OfType<IHtmlInputElement>().Any(i => i.Name == "_handler" && i.Value == formName)
                || string.Equals(f.GetAttribute("action"), formName, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No form \"{formName}\" on the page: {html}");
    }

    public void Dispose() => _http.Dispose();

    private sealed class SetCookieRecorder(List<string> headers) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
            {
                lock (headers)
                {
                    headers.AddRange(values);
                }
            }

            return response;
        }
    }
}

public sealed record FormResult(HttpStatusCode Status, Uri? Location, string Html)
{
    public bool RedirectsTo(string path) =>
        Status == HttpStatusCode.Redirect && Location is not null && Location.OriginalString.Contains(path, StringComparison.OrdinalIgnoreCase);
}
