namespace AiStudio.Tests.Support;

/// <summary>One <see cref="TestAppHost"/> shared by the tests of a class (they run one after another), to keep start-ups few.</summary>
public sealed class TestAppHostFixture : IAsyncLifetime
{
    private TestAppHost? _host;

    public TestAppHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public async Task InitializeAsync() => _host = await TestAppHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
