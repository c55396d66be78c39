namespace AiStudio.Core.Roles;

public enum MessageAuthor
{
    System,
    User,
    Assistant,
}

/// <summary>
/// One message of a role's conversation within a build, stored exactly as it was sent to or received
/// from the model, in order, with the attempt it belongs to.
/// </summary>
public sealed class ConversationMessage
{
    private ConversationMessage() { }

    public long Id { get; private set; }
    public Guid BuildId { get; private set; }
    public Guid PhaseRunId { get; private set; }
    public AiRole Role { get; private set; }
    public int Sequence { get; private set; }
    public MessageAuthor Author { get; private set; }
    public string Content { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    public static ConversationMessage Create(Guid buildId, Guid phaseRunId, AiRole role, int sequence, MessageAuthor author, string content, DateTimeOffset now) => new()
    {
        BuildId = buildId,
        PhaseRunId = phaseRunId,
        Role = role,
        Sequence = sequence,
        Author = author,
        Content = content,
        CreatedAt = now,
    };
}
