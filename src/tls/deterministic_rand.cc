#include "src/tls/deterministic_rand.h"

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <algorithm>
#include <new>
#include <vector>

namespace loopcheck {

// The provider's context: the seed every generator of this library context starts from, and
// the generators alive. Each generator (primary, public, private) gets its own stream,
// numbered in creation order, which OpenSSL fixes for a given sequence of calls.
struct DeterministicRandState {
  struct Generator {
    DeterministicRandState* provider = nullptr;
    std::uint64_t stream = 0;  // its number among the context's generators
    std::uint64_t state = 0;
    int ready = EVP_RAND_STATE_UNINITIALISED;
  };
  std::uint64_t seed = 0;
  std::uint64_t generators = 0;
  std::vector<Generator*> live;  // what reseed() restarts
};

namespace {

using Generator = DeterministicRandState::Generator;

constexpr const char* kProviderName = "loopcheck-detrand";
constexpr const char* kRandName = "LOOPCHECK-DETRAND";

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Where generator number `stream` starts under `seed`: at creation and again at each reseed.
std::uint64_t stream_start(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
  return splitmix64(x);
}

void* rand_newctx(void* provctx, void*, const OSSL_DISPATCH*) {
  auto* provider = static_cast<DeterministicRandState*>(provctx);
  auto* generator = new (std::nothrow) Generator;
  if (!generator) return nullptr;
  try {
    provider->live.push_back(generator);
  } catch (const std::bad_alloc&) {
    delete generator;
    return nullptr;
  }
  generator->provider = provider;
  generator->stream = ++provider->generators;
  generator->state = stream_start(provider->seed, generator->stream);
  return generator;
}

void rand_freectx(void* vctx) {
  auto* generator = static_cast<Generator*>(vctx);
  std::vector<Generator*>& live = generator->provider->live;
  live.erase(std::remove(live.begin(), live.end(), generator), live.end());
  delete generator;
}

int rand_instantiate(void* vctx, unsigned int, int, const unsigned char*, std::size_t, const OSSL_PARAM[]) {
  static_cast<Generator*>(vctx)->ready = EVP_RAND_STATE_READY;
  return 1;
}

int rand_uninstantiate(void* vctx) {
  static_cast<Generator*>(vctx)->ready = EVP_RAND_STATE_UNINITIALISED;
  return 1;
}

int rand_generate(void* vctx, unsigned char* out, std::size_t outlen, unsigned int, int,
                  const unsigned char*, std::size_t) {
  auto* generator = static_cast<Generator*>(vctx);
  for (std::size_t i = 0; i < outlen; i += 8) {
    std::uint64_t word = splitmix64(generator->state);
    for (std::size_t b = 0; b < 8 && i + b < outlen; ++b) out[i + b] = static_cast<unsigned char>(word >> (8 * b));
  }
  return 1;
}

int rand_reseed(void*, int, const unsigned char*, std::size_t, const unsigned char*, std::size_t) { return 1; }
int rand_enable_locking(void*) { return 1; }
int rand_lock(void*) { return 1; }
void rand_unlock(void*) {}

int rand_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
  auto* generator = static_cast<Generator*>(vctx);
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE);
  if (p && !OSSL_PARAM_set_int(p, generator->ready)) return 0;
  p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH);
  if (p && !OSSL_PARAM_set_uint(p, 256)) return 0;
  p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST);
  if (p && !OSSL_PARAM_set_size_t(p, 1 << 16)) return 0;
  return 1;
}

const OSSL_PARAM* rand_gettable_ctx_params(void*, void*) {
  static const OSSL_PARAM kKnown[] = {
      OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, nullptr),
      OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, nullptr),
      OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, nullptr),
      OSSL_PARAM_END,
  };
  return kKnown;
}

using Fn = void (*)();
const OSSL_DISPATCH kRandFunctions[] = {
    {OSSL_FUNC_RAND_NEWCTX, reinterpret_cast<Fn>(rand_newctx)},
    {OSSL_FUNC_RAND_FREECTX, reinterpret_cast<Fn>(rand_freectx)},
    {OSSL_FUNC_RAND_INSTANTIATE, reinterpret_cast<Fn>(rand_instantiate)},
    {OSSL_FUNC_RAND_UNINSTANTIATE, reinterpret_cast<Fn>(rand_uninstantiate)},
    {OSSL_FUNC_RAND_GENERATE, reinterpret_cast<Fn>(rand_generate)},
    {OSSL_FUNC_RAND_RESEED, reinterpret_cast<Fn>(rand_reseed)},
    {OSSL_FUNC_RAND_ENABLE_LOCKING, reinterpret_cast<Fn>(rand_enable_locking)},
    {OSSL_FUNC_RAND_LOCK, reinterpret_cast<Fn>(rand_lock)},
    {OSSL_FUNC_RAND_UNLOCK, reinterpret_cast<Fn>(rand_unlock)},
    {OSSL_FUNC_RAND_GET_CTX_PARAMS, reinterpret_cast<Fn>(rand_get_ctx_params)},
    {OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, reinterpret_cast<Fn>(rand_gettable_ctx_params)},
    {0, nullptr},
};

const OSSL_ALGORITHM kRands[] = {
    {kRandName, "provider=loopcheck-detrand", kRandFunctions, "deterministic, for simulation only"},
    {nullptr, nullptr, nullptr, nullptr},
};

const OSSL_ALGORITHM* provider_query(void*, int operation, int* no_cache) {
  *no_cache = 0;
  return operation == OSSL_OP_RAND ? kRands : nullptr;
}

// No teardown: the state belongs to the DeterministicLibCtx, which frees it after the context.
const OSSL_DISPATCH kProviderFunctions[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, reinterpret_cast<Fn>(provider_query)},
    {0, nullptr},
};

// The state reaches the provider's init through this variable: OSSL_PROVIDER_load calls init
// at once, in this thread, right after DeterministicLibCtx::create sets it.
thread_local DeterministicRandState* pending_state = nullptr;

int provider_init(const OSSL_CORE_HANDLE*, const OSSL_DISPATCH*, const OSSL_DISPATCH** out, void** provctx) {
  if (!pending_state) return 0;
  *provctx = pending_state;
  *out = kProviderFunctions;
  return 1;
}

}  // namespace

DeterministicLibCtx::DeterministicLibCtx() = default;

std::unique_ptr<DeterministicLibCtx> DeterministicLibCtx::create(std::uint64_t seed) {
  std::unique_ptr<DeterministicLibCtx> lib(new DeterministicLibCtx);
  lib->state_ = std::make_unique<DeterministicRandState>();
  lib->state_->seed = seed;
  lib->ctx_ = OSSL_LIB_CTX_new();
  if (!lib->ctx_) return nullptr;
  if (OSSL_PROVIDER_add_builtin(lib->ctx_, kProviderName, provider_init) != 1) return nullptr;
  pending_state = lib->state_.get();
  lib->rand_ = OSSL_PROVIDER_load(lib->ctx_, kProviderName);
  pending_state = nullptr;
  lib->default_ = OSSL_PROVIDER_load(lib->ctx_, "default");
  // The generator type is set before any generator exists; then all three are made, so none
  // is ever drawn from OpenSSL's own entropy.
  bool ok = lib->rand_ && lib->default_ &&
            RAND_set_DRBG_type(lib->ctx_, kRandName, "provider=loopcheck-detrand", nullptr, nullptr) == 1 &&
            RAND_get0_primary(lib->ctx_) != nullptr && RAND_get0_public(lib->ctx_) != nullptr &&
            RAND_get0_private(lib->ctx_) != nullptr;
  return ok ? std::move(lib) : nullptr;
}

void DeterministicLibCtx::reseed(std::uint64_t seed) {
  state_->seed = seed;
  for (Generator* generator : state_->live) generator->state = stream_start(seed, generator->stream);
}

DeterministicLibCtx::~DeterministicLibCtx() {
  if (rand_) OSSL_PROVIDER_unload(rand_);
  if (default_) OSSL_PROVIDER_unload(default_);
  OSSL_LIB_CTX_free(ctx_);  // frees the generators, then state_ goes
}

}  // namespace loopcheck
