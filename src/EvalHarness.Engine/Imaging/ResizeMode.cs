namespace EvalHarness.Engine.Imaging;

/// <summary>How <see cref="Preprocessing"/> resizes before cropping.</summary>
public enum ResizeMode
{
    /// <summary>Keep the decoded size.</summary>
    None,

    /// <summary>torchvision Resize(int): the shorter side becomes N, the aspect ratio is kept.</summary>
    ShorterSide,

    /// <summary>torchvision Resize((h, w)): exactly W×H, the aspect ratio may change.</summary>
    Exact,
}
