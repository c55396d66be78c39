using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Artifacts;

/// <summary>The download endpoints over real HTTP, signed in with the Identity cookie from the real register form.</summary>
public sealed partial class ArtifactEndpointsTests : IAsyncLifetime
{
    private const string Password = "Str0ng!Passw0rd";

    private readonly AiStudioWebFactory _factory = new();
    private readonly CookieContainer _cookies = new();
    private Uri _address = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _address = _factory.StartAndGetAddress();
        _client = new HttpClient(new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = false }) { BaseAddress = _address };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Theory]
    [InlineData("builds/{0}/export.zip")]
    [InlineData("builds/{0}/runs/{0}/artifacts/requirements_document.md")]
    [InlineData("builds/{0}/runs/{0}/artifacts.zip")]
    public async Task Get_Anonymous_RedirectsToLogin(string path)
    {
        var response = await _client.GetAsync(string.Format(path, Guid.NewGuid()));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Get_SignedInNonMember_IsNotFound()
    {
        var owner = await CreateUserAsync("dave@example.com");
        var driver = new OfflineBuildDriver(_factory.Services, owner);
        var buildId = await driver.StartAsync("Dave's secret build", "Payroll runs on the last Friday of the month.");
        var run = (await driver.AwaitApprovalAsync(buildId, Phase.Discovery)).CurrentRun!;
        await RegisterAsync("carol@example.com");

        var export = await _client.GetAsync($"builds/{buildId}/export.zip");
        var file = await _client.GetAsync($"builds/{buildId}/runs/{run.Id}/artifacts/requirements_document.md");
        var zip = await _client.GetAsync($"builds/{buildId}/runs/{run.Id}/artifacts.zip");

        Assert.Equal(HttpStatusCode.NotFound, export.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, file.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, zip.StatusCode);
        Assert.DoesNotContain("Payroll", await file.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_SignedInMember_DownloadsFilesAndExportAsAttachments()
    {
        var carol = await RegisterAsync("carol@example.com");
        var driver = new OfflineBuildDriver(_factory.Services, carol);
        var buildId = await driver.StartAsync("Invoice reminders", "Customers receive an email reminder seven days before an invoice is due.");
        var run = (await driver.AwaitApprovalAsync(buildId, Phase.Discovery)).CurrentRun!;

        var file = await _client.GetAsync($"builds/{buildId}/runs/{run.Id}/artifacts/requirements_document.md");
        var export = await _client.GetAsync($"builds/{buildId}/export.zip");
        var unknown = await _client.GetAsync($"builds/{buildId}/runs/{run.Id}/artifacts/..%2F..%2Fetc%2Fpasswd");

        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("text/markdown", file.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", file.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("requirements_document.md", file.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Equal(run.Output, await file.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", string.Join(",", file.Headers.GetValues("X-Content-Type-Options")));

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/zip", export.Content.Headers.ContentType!.MediaType);
        Assert.Equal("aistudio-build-invoice-reminders.zip", export.Content.Headers.ContentDisposition!.FileNameStar);
        using var zip = new ZipArchive(await export.Content.ReadAsStreamAsync());
        Assert.Equal(["README.md", "decision-record.md", "build.json"], zip.Entries.Select(e => e.FullName));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task<Actor> CreateUserAsync(string email)
    {
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        var user = new AiStudio.Core.Identity.ApplicationUser { UserName = email, Email = email, NormalizedUserName = email.ToUpperInvariant(), NormalizedEmail = email.ToUpperInvariant() };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return new Actor(user.Id, email);
    }

    /// <summary>Signs up through the real form: the antiforgery token is read from the page, the cookie kept by the client.</summary>
    private async Task<Actor> RegisterAsync(string email)
    {
        var page = await _client.GetStringAsync("Account/Register");
        var token = AntiforgeryToken().Match(page);
        Assert.True(token.Success, "The register page has no antiforgery token.");

        var response = await _client.PostAsync("Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "register",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains(_cookies.GetCookies(_address).Cast<Cookie>(), c => c.Name == ".AspNetCore.Identity.Application");

        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        return new Actor(id, email);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
