namespace AiStudio.Core.Builds;

public enum PipelineTrigger
{
    Start,
    Approve,
    SendBack,
    Hold,
    Resume,
    Fail,
    Retry,
    Cancel,
}
