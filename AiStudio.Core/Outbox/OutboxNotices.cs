using AiStudio.Core.Persistence;

namespace AiStudio.Core.Outbox;

public static class OutboxNotices
{
    /// <summary>Adds <paramref name="notice"/> to the context's changes: it is handed on only if they are committed.</summary>
    public static void AddNotice<TNotice>(this AiStudioDbContext db, TNotice notice, DateTimeOffset now)
        where TNotice : IOutboxNotice => db.OutboxMessages.Add(OutboxMessage.For(notice, now));
}
