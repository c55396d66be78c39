using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Accounts;

/// <summary>The real web app on a loopback port, with one configured administrator.</summary>
public class AccountHost : IAsyncLifetime
{
    public const string Password = "Passw0rd!-long-enough";
    public const string ConfiguredAdmin = "root@accounts.test";

    private AiStudioWebFactory? _factory;

    public Uri Address { get; private set; } = null!;
    public IServiceProvider Services => _factory!.Services;

    protected virtual IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Admin:Emails:0"] = ConfiguredAdmin,
    };

    public virtual Task InitializeAsync()
    {
        _factory = new AiStudioWebFactory(Settings());
        Address = _factory.StartAndGetAddress();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    public AccountClient NewClient() => new(Address);

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A confirmed account with <see cref="Password"/>, made through Identity as sign-up would.</summary>
    public async Task<Actor> CreateUserAsync(string email, bool isAdmin = false)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user, Password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        if (isAdmin)
        {
            Assert.True((await users.AddToRoleAsync(user, AdminRole.Name)).Succeeded);
        }

        return new Actor(user.Id, email, isAdmin);
    }

    public async Task<ApplicationUser> FindUserAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}.");
    }

    public async Task<bool> IsInAdminRoleAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.IsInRoleAsync(await users.FindByEmailAsync(email) ?? throw new InvalidOperationException(email), AdminRole.Name);
    }
}

/// <summary>The web app with Email:Smtp pointing at a <see cref="FakeSmtpServer"/>, so accounts must be confirmed.</summary>
public sealed class AccountHostWithEmail : AccountHost
{
    public FakeSmtpServer Smtp { get; } = new();

    protected override IDictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Email:Smtp:Host"] = "127.0.0.1";
        settings["Email:Smtp:Port"] = Smtp.Port.ToString();
        settings["Email:Smtp:EnableSsl"] = "false";
        settings["Email:Smtp:From"] = "AiStudio <noreply@aistudio.test>";
        return settings;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
