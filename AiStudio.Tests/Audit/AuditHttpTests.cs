using System.Net;
using System.Text;
using AiStudio.Core.Audit;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Accounts;
using AiStudio.Tests.Support;
using AiStudio.Web.Audit;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Audit;

/// <summary>Sign-in auditing and the CSV export over real HTTP, through the real account forms and cookies.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class AuditHttpTests : IAsyncLifetime
{
    private readonly AccountHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task LogIn_RightPassword_RecordsSignedIn()
    {
        var bob = await _host.CreateUserAsync("bob@audit.test");
        using var client = _host.NewClient();

        var result = await client.LogInAsync("bob@audit.test", AccountHost.Password);

        Assert.Equal(HttpStatusCode.Redirect, result.Status);
        var signedIn = Assert.Single(await EventsAsync(AuditActions.SignedIn));
        Assert.Equal(bob.UserId, signedIn.ActorId);
        Assert.Equal("bob@audit.test", signedIn.ActorName);
        Assert.Equal("Account", signedIn.EntityType);
        Assert.Equal(bob.UserId, signedIn.EntityId);
        Assert.Contains("from 127.0.0.1", signedIn.Detail);
    }

    [Fact]
    public async Task LogIn_WrongPassword_RecordsFailureAndNoSignIn()
    {
        var bob = await _host.CreateUserAsync("bob@audit.test");
        using var client = _host.NewClient();

        await client.LogInAsync("bob@audit.test", "not-the-password");

        Assert.False(client.HasIdentityCookie);
        var failed = Assert.Single(await EventsAsync(AuditActions.SignInFailed));
        Assert.Equal(bob.UserId, failed.ActorId);
        Assert.StartsWith("password: wrong credentials", failed.Detail);
        Assert.Empty(await EventsAsync(AuditActions.SignedIn));
    }

    [Fact]
    public async Task LogIn_UnknownAccount_RecordsFailureWithTheNameTried()
    {
        using var client = _host.NewClient();

        await client.LogInAsync("nobody@audit.test", "whatever-it-is");

        var failed = Assert.Single(await EventsAsync(AuditActions.SignInFailed));
        Assert.Equal("anonymous", failed.ActorId);
        Assert.Equal("nobody@audit.test", failed.ActorName);
        Assert.StartsWith("password: no such account", failed.Detail);
    }

    [Fact]
    public async Task LogIn_RepeatedFailures_RecordsTheLockout()
    {
        var bob = await _host.CreateUserAsync("bob@audit.test");
        using var client = _host.NewClient();

        for (var i = 0; i < AiStudio.Core.Identity.IdentityRegistration.MaxFailedAccessAttempts; i++)
        {
            await client.LogInAsync("bob@audit.test", "not-the-password");
        }

        await client.LogInAsync("bob@audit.test", AccountHost.Password);

        Assert.Equal(AiStudio.Core.Identity.IdentityRegistration.MaxFailedAccessAttempts - 1, (await EventsAsync(AuditActions.SignInFailed)).Count);
        var lockouts = await EventsAsync(AuditActions.LockedOut);
        Assert.Equal(2, lockouts.Count);
        Assert.All(lockouts, e => Assert.Equal(bob.UserId, e.ActorId));
        Assert.Empty(await EventsAsync(AuditActions.SignedIn));
    }

    [Fact]
    public async Task LogOut_SignedIn_RecordsSignedOut()
    {
        var bob = await _host.CreateUserAsync("bob@audit.test");
        using var client = _host.NewClient();
        await client.LogInAsync("bob@audit.test", AccountHost.Password);

        var result = await client.SubmitAsync("", "Account/Logout", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, result.Status);
        var signedOut = Assert.Single(await EventsAsync(AuditActions.SignedOut));
        Assert.Equal(bob.UserId, signedOut.ActorId);
    }

    [Fact]
    public async Task ExportCsv_Anonymous_RedirectsToLogin()
    {
        using var client = _host.NewClient();

        var (status, _) = await client.GetAsync(AuditEndpoints.ExportPath);

        Assert.Equal(HttpStatusCode.Redirect, status);
    }

    [Fact]
    public async Task ExportCsv_SignedInNonAdmin_NotFound()
    {
        await _host.CreateUserAsync("bob@audit.test");
        using var client = _host.NewClient();
        await client.LogInAsync("bob@audit.test", AccountHost.Password);

        var (status, body) = await client.GetAsync(AuditEndpoints.ExportPath);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("account.signed-in", body);
    }

    [Fact]
    public async Task ExportCsv_Admin_FilteredCsvAttachmentWithFormulasNeutralised()
    {
        await _host.CreateUserAsync("root@audit.test", isAdmin: true);
        await _host.Get<IAuditLog>().RecordAsync(AuditEvent.Create(DateTimeOffset.UtcNow, "evil-id", "@evil", "account.sign-in-failed", "User", "",
            detail: "=cmd|' /C calc'!A0, \"quoted\"\nsecond line"));
        using var client = await SignedInClientAsync("root@audit.test");

        using var response = await client.GetAsync(AuditEndpoints.ExportUrl(new AuditFilter(Action: "account.")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.StartsWith("aistudio-audit-", response.Content.Headers.ContentDisposition.FileNameStar);
        var rows = CsvReader.Parse(Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF'));
        Assert.Equal(AuditCsv.Header, rows[0]);
        Assert.All(rows.Skip(1), r => Assert.StartsWith("account.", r[AuditCsv.Header.ToList().IndexOf("Action")]));
        var evil = Assert.Single(rows, r => r[AuditCsv.Header.ToList().IndexOf("ActorId")] == "evil-id");
        Assert.Equal("'@evil", evil[AuditCsv.Header.ToList().IndexOf("ActorName")]);
        Assert.Equal("'=cmd|' /C calc'!A0, \"quoted\"\nsecond line", evil[AuditCsv.Header.ToList().IndexOf("Detail")]);
        Assert.Contains(rows, r => r[AuditCsv.Header.ToList().IndexOf("ActorName")] == "root@audit.test");
    }

    [Fact]
    public async Task AuditPages_Admin_RenderWithTheirHeadingsAndTheTrail()
    {
        await _host.CreateUserAsync("root@audit.test", isAdmin: true);
        using var client = await SignedInClientAsync("root@audit.test");
        var signedIn = Assert.Single(await EventsAsync(AuditActions.SignedIn));

        var trail = await client.GetStringAsync("admin/audit");
        var detail = await client.GetStringAsync($"admin/audit/{signedIn.Id}");
        var verify = await client.GetStringAsync("admin/audit/verify");

        Assert.Contains("Audit trail</h1>", trail);
        Assert.Contains($"data-event-id=\"{signedIn.Id}\"", trail);
        Assert.Contains("Audit event</h1>", detail);
        Assert.Contains("root@audit.test", detail);
        Assert.Contains("Verify the audit trail</h1>", verify);
        Assert.Contains(">Verify now<", verify);
    }

    [Fact]
    public async Task AuditPage_NonAdmin_ShowsTheRefusalAndNoEvents()
    {
        await _host.CreateUserAsync("bob@audit.test");
        using var client = await SignedInClientAsync("bob@audit.test");

        var trail = await client.GetStringAsync("admin/audit");

        Assert.Contains("Only administrators can read the audit trail.", trail);
        Assert.DoesNotContain("data-event-id", trail);
    }

    /// <summary>An HttpClient holding the Identity cookie, signed in through the real log-in form.</summary>
    private async Task<HttpClient> SignedInClientAsync(string email)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _host.Address };
        var page = new HtmlParser().ParseDocument(await client.GetStringAsync("Account/Login"));
        var form = page.Forms.Single(f => f.Elements.OfType<IHtmlInputElement>().Any(i => i.Name == "_handler" && i.Value == "login"));
        var fields = form.Elements.OfType<IHtmlInputElement>().Where(i => i.Type == "hidden" && !string.IsNullOrEmpty(i.Name)).ToDictionary(i => i.Name!, i => i.Value);
        fields["Input.Email"] = email;
        fields["Input.Password"] = AccountHost.Password;
        using var response = await client.PostAsync("Account/Login", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains(cookies.GetCookies(_host.Address).Cast<Cookie>(), c => c.Name == AccountClient.IdentityCookie);
        return client;
    }

    private async Task<List<AuditEvent>> EventsAsync(string action)
    {
        await using var db = await _host.Get<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().Where(e => e.Action == action).OrderBy(e => e.Id).ToListAsync();
    }
}
