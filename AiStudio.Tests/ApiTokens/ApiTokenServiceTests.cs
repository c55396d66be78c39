using System.Security.Cryptography;
using System.Text;
using AiStudio.Core.ApiTokens;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.ApiTokens;

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ApiTokenServiceTests : IAsyncLifetime
{
    private TestAppHost _host = null!;
    private IApiTokenService _tokens = null!;
    private Actor _alice = null!;
    private Actor _bob = null!;

    public async Task InitializeAsync()
    {
        _host = await TestAppHost.StartAsync();
        _tokens = _host.Get<IApiTokenService>();
        _alice = await _host.CreateUserAsync("alice@example.com");
        _bob = await _host.CreateUserAsync("bob@example.com");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task CreateAsync_ValidName_ReturnsTokenThatAuthenticatesAsTheOwner()
    {
        var created = await _tokens.CreateAsync(_alice, "  CI pipeline ");

        Assert.Matches("^ast_[A-Za-z0-9_-]{43}$", created.Plaintext);
        Assert.Equal("CI pipeline", created.Token.Name);
        Assert.Equal(created.Plaintext[..ApiToken.PrefixLength], created.Token.Prefix);
        var owner = await _tokens.AuthenticateAsync(created.Plaintext);
        Assert.NotNull(owner);
        Assert.Equal(_alice.UserId, owner.UserId);
        Assert.Equal("alice@example.com", owner.UserName);
        Assert.Equal(created.Token.Id, owner.TokenId);
    }

    [Fact]
    public async Task CreateAsync_TwoTokens_AreDifferent()
    {
        var first = await _tokens.CreateAsync(_alice, "one");
        var second = await _tokens.CreateAsync(_alice, "two");

        Assert.NotEqual(first.Plaintext, second.Plaintext);
        Assert.Equal(_alice.UserId, (await _tokens.AuthenticateAsync(second.Plaintext))?.UserId);
    }

    [Fact]
    public async Task CreateAsync_ValidName_StoresTheHashAndNeverThePlaintext()
    {
        var created = await _tokens.CreateAsync(_alice, "deploy script");

        await using (var db = await _host.CreateDbContextAsync())
        {
            var row = await db.ApiTokens.SingleAsync();
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(created.Plaintext)), row.TokenHash);
        }

        // Every column of every row, as the database holds it: the secret part must appear nowhere.
        var secret = created.Plaintext[ApiToken.PrefixLength..];
        await using var raw = await _host.CreateDbContextAsync();
        var connection = raw.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM \"ApiTokens\"";
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                values.Add(reader.GetValue(i) is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(reader.GetValue(i)) ?? "");
            }
        }

        Assert.NotEmpty(values);
        Assert.DoesNotContain(values, v => v.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RevokeAsync_OwnToken_NoLongerAuthenticatesAndIsListedAsRevoked()
    {
        var created = await _tokens.CreateAsync(_alice, "laptop");

        await _tokens.RevokeAsync(_alice, created.Token.Id);

        Assert.Null(await _tokens.AuthenticateAsync(created.Plaintext));
        var listed = Assert.Single(await _tokens.ListAsync(_alice));
        Assert.False(listed.IsActive);
        Assert.NotNull(listed.RevokedAt);
    }

    [Fact]
    public async Task RevokeAsync_AlreadyRevoked_ThrowsDomainExceptionWithClearMessage()
    {
        var created = await _tokens.CreateAsync(_alice, "laptop");
        await _tokens.RevokeAsync(_alice, created.Token.Id);

        var error = await Assert.ThrowsAsync<DomainException>(() => _tokens.RevokeAsync(_alice, created.Token.Id));

        Assert.Contains("already revoked", error.Message);
    }

    [Fact]
    public async Task RevokeAsync_SomeoneElsesToken_ThrowsNotFoundAndTheTokenStillWorks()
    {
        var created = await _tokens.CreateAsync(_alice, "laptop");

        await Assert.ThrowsAsync<NotFoundException>(() => _tokens.RevokeAsync(_bob, created.Token.Id));

        Assert.NotNull(await _tokens.AuthenticateAsync(created.Plaintext));
        Assert.True(Assert.Single(await _tokens.ListAsync(_alice)).IsActive);
    }

    [Fact]
    public async Task RevokeAsync_UnknownId_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => _tokens.RevokeAsync(_alice, Guid.NewGuid()));
    }

    [Fact]
    public async Task ListAsync_TwoUsers_ReturnsOnlyOwnTokensNewestFirst()
    {
        await _tokens.CreateAsync(_alice, "first");
        await _tokens.CreateAsync(_bob, "bob's");
        await _tokens.CreateAsync(_alice, "second");

        var names = (await _tokens.ListAsync(_alice)).Select(t => t.Name).ToList();

        Assert.Equal(["second", "first"], names);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\there")]
    [InlineData("bell\u0007")]
    public async Task CreateAsync_BadName_ThrowsInputValidationAndWritesNothing(string name)
    {
        var error = await Assert.ThrowsAsync<InputValidationException>(() => _tokens.CreateAsync(_alice, name));

        Assert.True(error.Errors.ContainsKey("Name"));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task CreateAsync_NameTooLong_ThrowsInputValidationAndWritesNothing()
    {
        var error = await Assert.ThrowsAsync<InputValidationException>(() => _tokens.CreateAsync(_alice, new string('x', ApiToken.NameMaxLength + 1)));

        Assert.Contains("at most 100", error.Errors["Name"].Single());
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task CreateAndRevoke_Always_WriteAuditEvents()
    {
        var created = await _tokens.CreateAsync(_alice, "audited");
        await _tokens.RevokeAsync(_alice, created.Token.Id);

        await using var db = await _host.CreateDbContextAsync();
        var events = await db.AuditEvents.Where(e => e.EntityType == "ApiToken").OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([ApiTokenAuditActions.Created, ApiTokenAuditActions.Revoked], events.Select(e => e.Action));
        Assert.All(events, e =>
        {
            Assert.Equal(_alice.UserId, e.ActorId);
            Assert.Equal(created.Token.Id.ToString(), e.EntityId);
            Assert.DoesNotContain(created.Plaintext[ApiToken.PrefixLength..], e.Detail ?? "");
        });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ast_")]
    [InlineData("not-a-token")]
    [InlineData("ast_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("ast_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!")]
    public async Task AuthenticateAsync_MalformedOrUnknown_ReturnsNull(string? presented)
    {
        await _tokens.CreateAsync(_alice, "real");

        Assert.Null(await _tokens.AuthenticateAsync(presented));
    }

    [Fact]
    public async Task AuthenticateAsync_UsedAgainWithinAMinute_RecordsLastUseOnlyOnce()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var tokens = ActivatorUtilities.CreateInstance<ApiTokenService>(_host.Services, clock);
        var created = await tokens.CreateAsync(_alice, "busy script");

        clock.Now = clock.Now.AddSeconds(5);
        await tokens.AuthenticateAsync(created.Plaintext);
        var firstUse = clock.Now;
        clock.Now = clock.Now.AddSeconds(30);
        await tokens.AuthenticateAsync(created.Plaintext);
        Assert.Equal(firstUse, Assert.Single(await tokens.ListAsync(_alice)).LastUsedAt);

        clock.Now = clock.Now.AddSeconds(31);
        await tokens.AuthenticateAsync(created.Plaintext);
        Assert.Equal(clock.Now, Assert.Single(await tokens.ListAsync(_alice)).LastUsedAt);
    }

    private async Task AssertNothingWrittenAsync()
    {
        await using var db = await _host.CreateDbContextAsync();
        Assert.Equal(0, await db.ApiTokens.CountAsync());
        Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.EntityType == "ApiToken"));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
