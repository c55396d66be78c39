using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using AiStudio.Core.ApiTokens;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Persistence;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Authorization;

/// <summary>
/// The real web app with one person per <see cref="Subject"/>, each signed in twice: an API token and the Identity
/// cookie from the real register form. Tests make a fresh project per case, so they do not depend on each other.
/// </summary>
public sealed partial class HttpMatrixHost : IAsyncLifetime
{
    public const string AdminEmail = "admin@example.com";
    private const string Password = "Str0ng!Passw0rd";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly AiStudioWebFactory _factory = new(new Dictionary<string, string?> { ["Admin:Emails:0"] = AdminEmail });
    private readonly Dictionary<Subject, Person> _people = [];
    private Uri _address = null!;

    public IServiceProvider Services => _factory.Services;
    public Actor Founder { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _address = _factory.StartAndGetAddress();
        Founder = await CreateUserAsync("founder@example.com");
        foreach (var subject in Enum.GetValues<Subject>())
        {
            var email = subject == Subject.Admin ? AdminEmail : $"{subject.ToString().ToLowerInvariant()}@example.com";
            var cookies = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _address };
            var actor = await RegisterAsync(cookies, email, subject == Subject.Admin);
            var api = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _address };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                (await Services.GetRequiredService<IApiTokenService>().CreateAsync(actor, "matrix")).Plaintext);
            _people[subject] = new Person(actor, api, cookies);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var person in _people.Values)
        {
            person.Api.Dispose();
            person.Cookies.Dispose();
        }

        await _factory.DisposeAsync();
    }

    public Person this[Subject subject] => _people[subject];

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async Task<AiStudioDbContext> CreateDbContextAsync() =>
        await Get<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();

    /// <summary>A new project of the founder's, with <paramref name="subject"/> in it by role (or not at all).</summary>
    public async Task<(Guid Id, string Name)> NewProjectAsync(Subject subject, ApprovalRules? rules = null)
    {
        var projects = Get<IProjectService>();
        var name = $"Billing {Guid.NewGuid():N}"[..20];
        var id = await projects.CreateAsync(Founder, name);
        if (Matrix.RoleOf(subject) is { } role)
        {
            await projects.AddMemberAsync(Founder, id, 0, this[subject].Actor.DisplayName, role);
        }

        if (rules is not null)
        {
            await projects.UpdateSettingsAsync(Founder, id, (await projects.GetAsync(Founder, id))!.Version, rules);
        }

        return (id, name);
    }

    public async Task<BuildDetails> AwaitApprovalAsync(Actor actor, Guid buildId, Phase phase)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var build = await Get<IBuildQueries>().GetAsync(actor, buildId) ?? throw new InvalidOperationException("The build is not visible.");
            if (build.AwaitsApproval && build.CurrentPhase == phase)
            {
                return build;
            }

            if (build.State is BuildState.Failed or BuildState.Cancelled || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{phase} never awaited approval; the build is {build.State}: {build.StatusReason}");
            }

            await Task.Delay(50);
        }
    }

    private async Task<Actor> CreateUserAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user, Password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return new Actor(user.Id, email);
    }

    /// <summary>Signs up through the real form: the antiforgery token is read from the page, the cookie kept by the client.</summary>
    private async Task<Actor> RegisterAsync(HttpClient client, string email, bool isAdmin)
    {
        var page = await client.GetStringAsync("Account/Register");
        var token = AntiforgeryToken().Match(page);
        Assert.True(token.Success, "The register page has no antiforgery token.");
        using var response = await client.PostAsync("Account/Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "register",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        await using var db = await CreateDbContextAsync();
        var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        return new Actor(id, email, isAdmin);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

public sealed record Person(Actor Actor, HttpClient Api, HttpClient Cookies);
