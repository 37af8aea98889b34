#include "render/volume_renderer.h"

#include "render/slice_renderer.h"

#include <glm/gtc/matrix_transform.hpp>
#include <glm/gtc/type_ptr.hpp>

#include <algorithm>
#include <cmath>

namespace ctview::gl {

namespace {
constexpr int kTfEntries = 4096; // about 1 HU per entry over a CT's range

// The raymarcher's uniforms, by index (Uniforms checks each is declared in raymarch.frag once, after
// linking).
namespace uniform {
enum : std::size_t {
    Volume,
    Tf,
    Lut,
    Bricks,
    Exterior,
    ClipToLps,
    LpsToTex,
    TexGradToLps,
    Viewport,
    CropMin,
    CropMax,
    StepMm,
    Voxel,
    BrickScale,
    BrickCount,
    TfMap,
    TfVisible,
    HuFromTexel,
    Window,
    WindowTexel,
    IsoTexel,
    IsoColor,
    Light,
    GradientOpacity,
    Background,
    Jitter,
    Cut,
    CutCount,
    Opaque,
    LabelGroups,
    LabelPalettes,
    LabelBoxMin,
    LabelBoxMax,
    SurfaceHits,
    LabelBits,
    count
};
}
constexpr const char* kUniformNames[] = {
    "uVolume",        "uTf",           "uLut",         "uBricks",      "uExterior",  "uClipToLps",
    "uLpsToTex",      "uTexGradToLps", "uViewport",    "uCropMin",     "uCropMax",   "uStepMm",
    "uVoxel",         "uBrickScale",   "uBrickCount",  "uTfMap",       "uTfVisible", "uHuFromTexel",
    "uWindow",        "uWindowTexel",  "uIsoTexel",    "uIsoColor",    "uLight",     "uGradientOpacity",
    "uBackground",    "uJitter",       "uCut",         "uCutCount",    "uOpaque",    "uLabelGroups",
    "uLabelPalettes", "uLabelBoxMin",  "uLabelBoxMax", "uSurfaceHits", "uLabelBits"};
static_assert(std::size(kUniformNames) == uniform::count, "one name per uniform, in the enum's order");
const std::vector<const char*>& uniformNames() {
    static const std::vector<const char*> names(std::begin(kUniformNames), std::end(kUniformNames));
    return names;
}

std::string definesFor(const VolumeRenderSettings& s) {
    const RenderPreset& p = s.preset;
    const RenderModeInfo& m = modeInfo(p.mode);
    // The mode's define (for a body shared by modes) and its body, which the skeleton's `#include RAY_BODY`
    // takes (resolveShader).
    std::string d = "#define " + std::string(m.define) + "\n#define RAY_BODY " + m.body + "\n";
    if (m.shading && p.shading.enabled)
        d += "#define SHADING\n";
    // Gradient opacity and leaving out the outside of the body act on what the transfer function composites.
    if (m.transferFunction && p.gradientOpacityOn)
        d += "#define GRADIENT_OPACITY\n";
    if (m.transferFunction && p.hideOutsideBody)
        d += "#define HIDE_OUTSIDE\n";
    if (s.skipping && m.skip != RenderModeInfo::Skip::None)
        d += "#define SKIP\n";
    if (!s.labels.groups.empty())
        d +=
            "#define LABELS " + std::to_string(std::min(s.labels.groups.size(), Labels3d::kMaxGroups)) + "\n";
    if (!s.surfaces.empty())
        d += "#define SURFACES\n";
    return d;
}

// Patient mm (LPS) -> texture coordinates of a volume with geometry g: voxel centre i sits at (i + 0.5) /
// dims.
glm::dmat4 lpsToTexture(const Geometry& g) {
    glm::dmat4 m(1.0);
    m = glm::scale(m, 1.0 / glm::dvec3(g.dims));
    m = glm::translate(m, glm::dvec3(0.5));
    m = glm::scale(m, 1.0 / g.spacing);
    m = m * glm::dmat4(glm::inverse(g.direction));
    m = glm::translate(m, -g.origin);
    return m;
}

// Where the rays run: the camera's matrices, and the crop box and cut planes in texture coordinates, as the
// raymarcher and the surface pass both clip to them.
SurfaceView rayView(const VolumeRenderSettings& s, const Geometry& g, glm::ivec2 size) {
    SurfaceView v;
    const CameraMatrices cm = cameraMatrices(s.camera, g, glm::dvec2(size));
    v.lpsToClip = glm::mat4(cm.projection * cm.view);
    v.clipToLps = glm::mat4(glm::inverse(cm.projection * cm.view));
    const glm::dmat4 lpsToTex = lpsToTexture(g);
    v.lpsToTex = glm::mat4(lpsToTex);
    v.cropMin = glm::clamp(glm::vec3(glm::min(s.cropMin, s.cropMax)), 0.0f, 1.0f);
    v.cropMax = glm::clamp(glm::vec3(glm::max(s.cropMin, s.cropMax)), 0.0f, 1.0f);
    // Cut planes, LPS (n.x >= c kept) -> texture coordinates: with tex = T lps + t, n.x >= c becomes
    // (T^-T n).tex >= c + (T^-T n).t.
    const glm::dmat3 inverseT = glm::transpose(glm::inverse(glm::dmat3(lpsToTex)));
    const glm::dvec3 t(lpsToTex[3]);
    v.cutCount = int(std::min<std::size_t>(s.cutPlanes.size(), v.cuts.size()));
    for (int c = 0; c < v.cutCount; ++c) {
        const glm::dvec4& plane = s.cutPlanes[std::size_t(c)];
        const glm::dvec3 n = inverseT * glm::dvec3(plane);
        v.cuts[std::size_t(c)] = glm::vec4(glm::vec3(n), float(plane.w + glm::dot(n, t)));
    }
    return v;
}
} // namespace

VolumeRenderer::VolumeRenderer()
    : vao_(VertexArray::create()), linear_(Sampler::create()), tf_(Texture::create()),
      lut_(Texture::create()), bricks_(Texture::create()), exterior_(Texture::create()) {
    glSamplerParameteri(linear_.id(), GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glSamplerParameteri(linear_.id(), GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glSamplerParameteri(linear_.id(), GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glSamplerParameteri(linear_.id(), GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glSamplerParameteri(linear_.id(), GL_TEXTURE_WRAP_R, GL_CLAMP_TO_EDGE);
    for (GLuint t : {tf_.id(), lut_.id()}) {
        glBindTexture(GL_TEXTURE_2D, t);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, t == tf_.id() ? GL_LINEAR : GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, t == tf_.id() ? GL_LINEAR : GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
}

void VolumeRenderer::prepare() {
    programFor(VolumeRenderSettings{});
}

VolumeRenderer::Compiled VolumeRenderer::compile(const std::string& defines) {

    Compiled c{buildProgram("fullscreen.vert", "raymarch.frag", defines), {}};
    c.uniforms = Uniforms(c.program.id(), uniformNames(), "fullscreen.vert", "raymarch.frag", defines);
    return c;
}

std::string VolumeRenderer::reload() {
    std::map<std::string, Compiled> fresh;
    try {
        for (const auto& [defines, program] : programs_)
            fresh.emplace(defines, compile(defines));
    } catch (const GlError& e) {
        return e.what();
    }
    programs_ = std::move(fresh);
    lastValid_ = false;
    return {};
}

const VolumeRenderer::Compiled& VolumeRenderer::programFor(const VolumeRenderSettings& s) {
    const std::string defines = definesFor(s);
    auto it = programs_.find(defines);
    if (it == programs_.end())
        it = programs_.emplace(defines, compile(defines)).first;
    return it->second;
}

void VolumeRenderer::setVolume(const Volume& v, std::shared_ptr<const VolumeStats> stats,
                               GLuint sharedTexture, HuTexel encoding, std::uint64_t maxBytes,
                               int max3dOverride, const Volume* copy) {
    clearVolume();
    GLint max3d = 0;
    glGetIntegerv(GL_MAX_3D_TEXTURE_SIZE, &max3d);
    if (max3dOverride > 0)
        max3d = std::min(max3d, GLint(max3dOverride));
    const Geometry& g = v.geometry();
    const int largest = std::max({g.dims.x, g.dims.y, g.dims.z});
    if (sharedTexture && (maxBytes == 0 || v.bytes() <= maxBytes)) {
        texture_ = sharedTexture;
        huTexel_ = encoding;
        geometry_ = g;
        stats_ = copy ? nullptr : std::move(stats); // a copy's statistics are not the volume's
    } else {
        // Too large for the GPU: halve until it fits the texture size and the memory cap.
        // Why, in the note: the GPU's 3D texture size, its memory, or the cap (a software renderer's budget).
        std::string why = largest > max3d
                              ? "the volume is larger than the GPU allows"
                              : "the volume is over the 3D view's memory budget (software rendering "
                                "keeps textures in main memory)";
        int factor = downsampleFactor3d(g.dims, v.bytes(), max3d, maxBytes);
        Volume small;
        const Volume* use = &v;
        for (;;) {
            if (factor > 1 && copy && copy->geometry().dims == (g.dims + factor - 1) / factor)
                use = copy;
            else if (factor > 1) {
                small = downsampleVolume(v, factor);
                use = &small;
            }
            try {
                own_ = uploadVolumeTexture(*use, huTexel_);
                break;
            } catch (const GlError&) {
                // Out of GPU memory at this size: smaller still, down to a 64th per side.
                if (factor >= 64)
                    throw;
                factor *= 2;
                why = "the volume is larger than the GPU's memory allows";
                while (glGetError() != GL_NO_ERROR) {
                }
            }
        }
        texture_ = own_.id();
        geometry_ = use->geometry();
        // The statistics given are the volume's, or the copy's when one was given.
        if (use == (copy ? copy : &v))
            stats_ = std::move(stats);
        else
            stats_ = std::make_shared<const VolumeStats>(computeVolumeStats(*use));
        if (factor > 1) {
            const glm::ivec3 d = use->geometry().dims;
            note_ = "3D shows a copy downsampled " + std::to_string(factor) + "x (" + std::to_string(d.x) +
                    "x" + std::to_string(d.y) + "x" + std::to_string(d.z) + "): " + why;
        }
    }
    if (!stats_)
        stats_ = std::make_shared<const VolumeStats>(computeVolumeStats(v));
    coarseBricks_ = {};
    bricksValid_ = tfValid_ = lastValid_ = exteriorValid_ = false;
}

void VolumeRenderer::clearVolume() {
    texture_ = 0;
    own_.reset();
    stats_.reset();
    coarseBricks_ = {};
    note_.clear();
    bricksValid_ = tfValid_ = lastValid_ = false;
}

const BrickGrid& VolumeRenderer::bricksFor(RenderMode mode) {
    // A MIP/MinIP samples nearly every brick that is not air anyway (a CT's noise puts some voxel of every
    // tissue brick above what the ray has seen), so it walks larger bricks, which cost fewer steps.
    if (modeInfo(mode).skip != RenderModeInfo::Skip::Extremes)
        return stats_->bricks;
    if (coarseBricks_.count == glm::ivec3(0))
        coarseBricks_ = coarsenBricks(stats_->bricks, 2);
    return coarseBricks_;
}

void VolumeRenderer::updateTables(const VolumeRenderSettings& s, float stepMm) {
    const RenderPreset& p = s.preset;
    const float huMin = stats_->minHU, huMax = std::max(stats_->maxHU, stats_->minHU + 1.0f);
    if (!tfValid_ || tfPoints_ != p.points || tfStep_ != stepMm) {
        tfTable_ = bakeTf(p.points, huMin, huMax, kTfEntries, stepMm);
        // The entries with any opacity lie in [first, second): the shader reads the table only there.
        tfVisible_ = {kTfEntries, 0};
        for (int e = 0; e < kTfEntries; ++e)
            if (tfTable_[std::size_t(e)][3] > 0.0f) {
                tfVisible_.first = std::min(tfVisible_.first, e);
                tfVisible_.second = e + 1;
            }
        glBindTexture(GL_TEXTURE_2D, tf_.id());
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA32F, kTfEntries, 1, 0, GL_RGBA, GL_FLOAT, tfTable_.data());
        tfPoints_ = p.points;
        tfStep_ = stepMm;
        tfValid_ = true;
    }
    if (!lutValid_ || lutName_ != s.colormap || lutInvert_ != s.invert) {
        uploadColormap(lut_.id(), colormapTable(s.colormap, s.invert));
        lutName_ = s.colormap;
        lutInvert_ = s.invert;
        lutValid_ = true;
    }
    // The bricks texture is up to date when it was made for this mode and for what the mode skips by: the
    // transfer function, the threshold. A mode that takes every sample needs none.
    using Skip = RenderModeInfo::Skip;
    const Skip skip = modeInfo(p.mode).skip;
    if (skip == Skip::None)
        return;
    const bool hide = modeInfo(p.mode).transferFunction && p.hideOutsideBody;
    if (hide && !exteriorValid_) {
        // The bricks outside the body, for the shader's per-sample test (with or without skipping).
        const BrickGrid& base = stats_->bricks;
        std::vector<std::uint8_t> bytes(base.min.size(), 0);
        for (std::size_t b = 0; b < base.exterior.size() && b < bytes.size(); ++b)
            bytes[b] = base.exterior[b] ? 255 : 0;
        glBindTexture(GL_TEXTURE_3D, exterior_.id());
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glTexImage3D(GL_TEXTURE_3D, 0, GL_R8, base.count.x, base.count.y, base.count.z, 0, GL_RED,
                     GL_UNSIGNED_BYTE, bytes.data());
        glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        exteriorValid_ = true;
    }
    if (bricksValid_ && bricksMode_ == p.mode && (skip != Skip::Threshold || bricksIso_ == p.isoValue) &&
        (skip != Skip::TransferFunction || (bricksPoints_ == p.points && bricksHide_ == hide)))
        return;
    const BrickGrid& bg = bricksFor(p.mode);
    glBindTexture(GL_TEXTURE_3D, bricks_.id());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    if (skip == Skip::Extremes) {
        // Texel units, as the shader compares raw texels.
        std::vector<float> minmax(bg.min.size() * 2);
        for (std::size_t b = 0; b < bg.min.size(); ++b) {
            minmax[2 * b] = huTexel_.texel(bg.min[b]);
            minmax[2 * b + 1] = huTexel_.texel(bg.max[b]);
        }
        glTexImage3D(GL_TEXTURE_3D, 0, GL_RG32F, bg.count.x, bg.count.y, bg.count.z, 0, GL_RG, GL_FLOAT,
                     minmax.data());
    } else {
        std::vector<std::uint8_t> visible = skip == Skip::Threshold
                                                ? bricksReaching(bg, p.isoValue)
                                                : classifyBricks(bg, tfTable_, huMin, huMax);
        if (hide) // what the shader would leave out anyway need not be sampled
            for (std::size_t b = 0; b < visible.size() && b < bg.exterior.size(); ++b)
                if (bg.exterior[b])
                    visible[b] = 0;
        // Each brick holds how far (in bricks) the nearest visible one is, so that a ray leaps whole empty
        // cubes.
        const std::vector<std::uint8_t> bytes = brickDistances(visible, bg.count);
        glTexImage3D(GL_TEXTURE_3D, 0, GL_R8, bg.count.x, bg.count.y, bg.count.z, 0, GL_RED, GL_UNSIGNED_BYTE,
                     bytes.data());
    }
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    bricksMode_ = p.mode;
    bricksIso_ = p.isoValue;
    bricksPoints_ = p.points;
    bricksHide_ = hide;
    bricksValid_ = true;
}

bool VolumeRenderer::render(const VolumeRenderSettings& s, glm::ivec2 size, bool force, int passes) {
    size = glm::max(size, glm::ivec2(1));
    const bool same = lastValid_ && size == imageSize_ && image_.fbo;
    if (!force && same && s == last_ && complete())
        return false;
    // Which pass: the next one of a render of these settings in passes, or the first of a new one; a new
    // render in passes only over a whole picture of this size (not over a part-done one of other settings:
    // that would leave a mix of three pictures). Otherwise all of the image at once.
    const bool resume = !force && same && s == last_ && !complete();
    if (!resume) {
        const int bands = (size.y + kPassBandRows - 1) / kPassBandRows;
        passes_ = !force && passes > 1 && same && complete() ? std::min(passes, bands) : 1;
        passesDone_ = 0;
    }
    // The program first: one compiled on first use can fail (a shader edited on disk), and must then leave
    // the GL state as it was.
    const Compiled* compiled = texture_ && stats_ ? &programFor(s) : nullptr;
    const GLuint prog = compiled ? compiled->program.id() : 0;
    const SurfaceView view = rayView(s, geometry_, size);
    // The surfaces once per render (each pass of one in passes stops its rays at the same hits).
    if (compiled && !s.surfaces.empty() && !resume)
        surfaceHits_ = surfaces_.render(s.surfaces, view, size);
    GLint previous = 0; // before makeOffscreenTarget, which binds its own
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &previous);
    if (size != imageSize_ || !image_.fbo) {
        image_ = makeOffscreenTarget(size.x, size.y);
        imageSize_ = size;
    }
    glBindFramebuffer(GL_FRAMEBUFFER, image_.fbo.id());
    glViewport(0, 0, size.x, size.y);
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_SCISSOR_TEST);
    if (!texture_ || !stats_) {
        glClearColor(s.background.r, s.background.g, s.background.b, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        glBindFramebuffer(GL_FRAMEBUFFER, GLuint(previous));
        last_ = s;
        lastValid_ = true;
        passesDone_ = passes_ = 1;
        return true;
    }
    const Geometry& g = geometry_;
    const float stepMm =
        float(std::max(0.05, s.stepScale) * std::min({g.spacing.x, g.spacing.y, g.spacing.z}));
    updateTables(s, stepMm);
    const RenderPreset& p = s.preset;
    glUseProgram(prog);
    const Uniforms& loc = compiled->uniforms;

    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_3D, texture_);
    glBindSampler(0, linear_.id());
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, tf_.id());
    glActiveTexture(GL_TEXTURE2);
    glBindTexture(GL_TEXTURE_2D, lut_.id());
    glActiveTexture(GL_TEXTURE3);
    glBindTexture(GL_TEXTURE_3D, bricks_.id());
    glUniform1i(loc[uniform::Volume], 0);
    glUniform1i(loc[uniform::Tf], 1);
    glUniform1i(loc[uniform::Lut], 2);
    glUniform1i(loc[uniform::Bricks], 3);
    glActiveTexture(GL_TEXTURE4);
    glBindTexture(GL_TEXTURE_3D, exterior_.id());
    glUniform1i(loc[uniform::Exterior], 4);

    glUniformMatrix4fv(loc[uniform::ClipToLps], 1, GL_FALSE, glm::value_ptr(view.clipToLps));
    glUniformMatrix4fv(loc[uniform::LpsToTex], 1, GL_FALSE, glm::value_ptr(view.lpsToTex));
    // Central differences span two voxels: texel units -> HU, over 2 x spacing -> HU/mm, then voxel axes ->
    // LPS.
    const glm::mat3 gradToLps = glm::mat3(
        g.direction * glm::dmat3(glm::scale(glm::dmat4(1.0), double(huTexel_.scale) / (2.0 * g.spacing))));
    glUniformMatrix3fv(loc[uniform::TexGradToLps], 1, GL_FALSE, glm::value_ptr(gradToLps));
    glUniform4f(loc[uniform::Viewport], 0.0f, 0.0f, float(size.x), float(size.y));
    glUniform3fv(loc[uniform::CropMin], 1, glm::value_ptr(view.cropMin));
    glUniform3fv(loc[uniform::CropMax], 1, glm::value_ptr(view.cropMax));
    glUniform1f(loc[uniform::StepMm], stepMm);
    const glm::vec3 voxel = 1.0f / glm::vec3(g.dims);
    glUniform3f(loc[uniform::Voxel], voxel.x, voxel.y, voxel.z);
    const BrickGrid& bg = bricksFor(p.mode);
    const glm::vec3 brickScale = glm::vec3(g.dims) / float(bg.size);
    glUniform3f(loc[uniform::BrickScale], brickScale.x, brickScale.y, brickScale.z);
    glUniform3i(loc[uniform::BrickCount], bg.count.x, bg.count.y, bg.count.z);
    // texel -> HU -> the nearest lookup entry (+0.5: the shader's int conversion truncates).
    const float huMin = stats_->minHU, span = std::max(stats_->maxHU - stats_->minHU, 1.0f);
    const float perHu = float(kTfEntries - 1) / span;
    glUniform2f(loc[uniform::TfMap], huTexel_.scale * perHu, (huTexel_.offset - huMin) * perHu + 0.5f);
    glUniform2f(loc[uniform::TfVisible], float(tfVisible_.first), float(tfVisible_.second));
    glUniform2f(loc[uniform::HuFromTexel], huTexel_.scale, huTexel_.offset);
    glUniform2f(loc[uniform::Window], float(p.window.width), float(p.window.center));
    // The window's ends (where the shader's voi() clamps) in texel values.
    glUniform2f(loc[uniform::WindowTexel], huTexel_.texel(p.window.lower()),
                huTexel_.texel(p.window.upper()));
    glUniform1f(loc[uniform::IsoTexel], huTexel_.texel(p.isoValue));
    const glm::vec3 iso = glm::vec3(evaluateTf(p.points, p.isoValue));
    glUniform3f(loc[uniform::IsoColor], iso.r, iso.g, iso.b);
    glUniform4f(loc[uniform::Light], p.shading.ambient, p.shading.diffuse, p.shading.specular,
                p.shading.shininess);
    glUniform2f(loc[uniform::GradientOpacity], p.gradientOpacity.x,
                std::max(p.gradientOpacity.y, p.gradientOpacity.x + 1e-3f));
    glUniform3f(loc[uniform::Background], s.background.r, s.background.g, s.background.b);
    glUniform1f(loc[uniform::Jitter], s.jitter ? 1.0f : 0.0f);
    glUniform4fv(loc[uniform::Cut], 3, glm::value_ptr(view.cuts[0]));
    glUniform1i(loc[uniform::CutCount], view.cutCount);
    glUniform1f(loc[uniform::Opaque], s.opaque);
    // Label groups on units 5.., their palettes after them.
    const int groups = int(std::min(s.labels.groups.size(), Labels3d::kMaxGroups));
    // Every element gets a unit of its own, used or not: two samplers of different types on one unit (the
    // default, 0, is the volume's) make the draw fail.
    std::array<GLint, Labels3d::kMaxGroups> groupUnits{}, paletteUnits{};
    for (int n = 0; n < int(Labels3d::kMaxGroups); ++n) {
        groupUnits[std::size_t(n)] = 5 + n;
        paletteUnits[std::size_t(n)] = 5 + int(Labels3d::kMaxGroups) + n;
        if (n >= groups)
            continue;
        glActiveTexture(GLenum(GL_TEXTURE0 + groupUnits[std::size_t(n)]));
        glBindTexture(GL_TEXTURE_3D, s.labels.groups[std::size_t(n)]);
        glActiveTexture(GLenum(GL_TEXTURE0 + paletteUnits[std::size_t(n)]));
        glBindTexture(GL_TEXTURE_2D, s.labels.palettes[std::size_t(n)]);
    }
    glUniform1iv(loc[uniform::LabelGroups], GLsizei(Labels3d::kMaxGroups), groupUnits.data());
    glUniform1iv(loc[uniform::LabelPalettes], GLsizei(Labels3d::kMaxGroups), paletteUnits.data());
    std::array<GLuint, Labels3d::kMaxGroups> bits{};
    for (std::size_t n = 0; n < std::size_t(groups) && n < s.labels.bits.size(); ++n)
        bits[n] = s.labels.bits[n];
    glUniform1uiv(loc[uniform::LabelBits], GLsizei(Labels3d::kMaxGroups), bits.data());
    glUniform3f(loc[uniform::LabelBoxMin], s.labels.boxMin.x, s.labels.boxMin.y, s.labels.boxMin.z);
    glUniform3f(loc[uniform::LabelBoxMax], s.labels.boxMax.x, s.labels.boxMax.y, s.labels.boxMax.z);
    // The surfaces' hits on the unit after the labels' (a unit of its own: see above).
    const GLint hitsUnit = 5 + 2 * int(Labels3d::kMaxGroups);
    glActiveTexture(GLenum(GL_TEXTURE0 + hitsUnit));
    glBindTexture(GL_TEXTURE_2D, s.surfaces.empty() ? 0 : surfaceHits_);
    glUniform1i(loc[uniform::SurfaceHits], hitsUnit);
    glActiveTexture(GL_TEXTURE0);

    glBindVertexArray(vao_.id());
    if (passes_ == 1) {
        glDrawArrays(GL_TRIANGLES, 0, 3);
    } else {
        // This pass's bands, each a draw clipped to it: a software rasteriser then shades only their pixels
        // (a discard in the shader would still cost about half of a pixel's ray on llvmpipe).
        glEnable(GL_SCISSOR_TEST);
        for (int y = passesDone_ * kPassBandRows; y < size.y; y += passes_ * kPassBandRows) {
            glScissor(0, y, size.x, kPassBandRows);
            glDrawArrays(GL_TRIANGLES, 0, 3);
        }
        glDisable(GL_SCISSOR_TEST);
    }
    glBindVertexArray(0);
    glBindSampler(0, 0);
    glActiveTexture(GL_TEXTURE0);
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(previous));
    last_ = s;
    lastValid_ = true;
    ++passesDone_;
    return true;
}

void VolumeRenderer::present(glm::ivec4 rect) const {
    if (!image_.fbo || rect.z <= 0 || rect.w <= 0)
        return;
    GLint previousRead = 0;
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &previousRead);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, image_.fbo.id());
    const bool same = rect.z == imageSize_.x && rect.w == imageSize_.y;
    glBlitFramebuffer(0, 0, imageSize_.x, imageSize_.y, rect.x, rect.y, rect.x + rect.z, rect.y + rect.w,
                      GL_COLOR_BUFFER_BIT, same ? GL_NEAREST : GL_LINEAR);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, GLuint(previousRead));
}

RgbImage VolumeRenderer::readImage() const {
    if (!image_.fbo)
        return {};
    GLint previousRead = 0;
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &previousRead);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, image_.fbo.id());
    RgbImage img = readPixels(0, 0, imageSize_.x, imageSize_.y);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, GLuint(previousRead));
    return img;
}

double VolumeRenderer::nominalSamples(const VolumeRenderSettings& s, glm::ivec2 size) const {
    const Geometry& g = geometry_;
    const double stepMm = std::max(0.05, s.stepScale) * std::min({g.spacing.x, g.spacing.y, g.spacing.z});
    const glm::dvec3 extent = glm::dvec3(g.dims) * g.spacing;
    // Rays through the middle of the box cross it about once along its mean extent.
    const double meanLength = (extent.x + extent.y + extent.z) / 3.0;
    return double(size.x) * double(size.y) * meanLength / stepMm;
}

} // namespace ctview::gl
