// The only door to libsodium: imported by Sources/AIKeys/Sodium/ and nowhere else.
// Use the function forms of constants (crypto_pwhash_saltbytes(), …): macros built on SODIUM_MIN do not import.
#include <sodium.h>
