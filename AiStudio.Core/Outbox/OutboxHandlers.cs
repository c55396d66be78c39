using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Outbox;

/// <summary>What hands on one kind of notice; each feature registers its own with <see cref="OutboxHandlerRegistration.AddOutboxHandler"/>.</summary>
internal interface IOutboxHandler
{
    string Kind { get; }

    Task HandleAsync(string payload, CancellationToken cancellationToken);
}

internal sealed class OutboxHandler<TNotice>(IServiceProvider services, Func<IServiceProvider, TNotice, CancellationToken, Task> handle) : IOutboxHandler
    where TNotice : IOutboxNotice
{
    public string Kind => TNotice.Kind;

    public Task HandleAsync(string payload, CancellationToken cancellationToken) =>
        handle(services, JsonSerializer.Deserialize<TNotice>(payload, OutboxMessage.Json)
            ?? throw new JsonException($"An outbox message of kind {Kind} holds no notice."), cancellationToken);
}

public static class OutboxHandlerRegistration
{
    public static IServiceCollection AddOutboxHandler<TNotice>(this IServiceCollection services, Func<IServiceProvider, TNotice, CancellationToken, Task> handle)
        where TNotice : IOutboxNotice =>
        services.AddSingleton<IOutboxHandler>(sp => new OutboxHandler<TNotice>(sp, handle));
}
