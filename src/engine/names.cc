// Random names and IDs.
#include "engine/names.h"

#include <sys/random.h>

#include <fmt/format.h>

namespace berth::engine {

namespace {
const char* const kAdjectives[] = {
    "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful",
    "blissful", "bold", "boring", "brave", "busy", "charming", "clever", "compassionate",
    "competent", "condescending", "confident", "cool", "cranky", "crazy", "dazzling", "determined",
    "distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent",
    "epic", "exciting", "fervent", "festive", "flamboyant", "focused", "friendly", "frosty",
    "funny", "gallant", "gifted", "goofy", "gracious", "great", "happy", "hardcore",
    "heuristic", "hopeful", "hungry", "infallible", "inspiring", "intelligent", "interesting",
    "jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical", "modest",
    "musing", "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic", "objective",
    "optimistic", "peaceful", "pedantic", "pensive", "practical", "priceless", "quirky", "quizzical",
    "recursing", "relaxed", "reverent", "romantic", "sad", "serene", "sharp", "silly",
    "sleepy", "stoic", "strange", "stupefied", "suspicious", "sweet", "tender", "thirsty",
    "trusting", "unruffled", "upbeat", "vibrant", "vigilant", "vigorous", "wizardly", "wonderful",
    "xenodochial", "youthful", "zealous", "zen"};
const char* const kNames[] = {
    "agnesi", "albattani", "allen", "almeida", "archimedes", "ardinghelli", "aryabhata", "austin",
    "babbage", "banach", "bardeen", "bartik", "bassi", "bell", "benz", "bhabha", "bhaskara",
    "blackwell", "bohr", "booth", "borg", "bose", "boyd", "brahmagupta", "brattain", "brown",
    "carson", "chandrasekhar", "chatelet", "chatterjee", "chebyshev", "cohen", "colden", "cori",
    "cray", "curie", "darwin", "davinci", "dijkstra", "dubinsky", "easley", "edison", "einstein",
    "elion", "engelbart", "euclid", "euler", "fermat", "fermi", "feynman", "franklin", "galileo",
    "gates", "goldberg", "goldstine", "goldwasser", "golick", "goodall", "haibt", "hamilton",
    "hawking", "heisenberg", "hermann", "heyrovsky", "hodgkin", "hoover", "hopper", "hugle",
    "hypatia", "jackson", "jang", "jennings", "jepsen", "johnson", "joliot", "jones", "kalam",
    "kapitsa", "kare", "keldysh", "keller", "kepler", "khorana", "kilby", "kirch", "knuth",
    "kowalevski", "lalande", "lamarr", "lamport", "leakey", "leavitt", "lewin", "lichterman",
    "liskov", "lovelace", "lumiere", "mahavira", "mayer", "mccarthy", "mcclintock", "mclean",
    "mcnulty", "meitner", "merkle", "mestorf", "mirzakhani", "morse", "murdock", "newton",
    "nightingale", "nobel", "noether", "northcutt", "noyce", "panini", "pare", "pasteur", "payne",
    "perlman", "pike", "poincare", "poitras", "ptolemy", "raman", "ramanujan", "ride", "ritchie",
    "roentgen", "rosalind", "saha", "sammet", "shaw", "shirley", "shockley", "sinoussi", "snyder",
    "spence", "stallman", "stonebraker", "swanson", "swartz", "swirles", "tesla", "thompson",
    "torvalds", "turing", "varahamihira", "visvesvaraya", "volhard", "wescoff", "wiles",
    "williams", "wilson", "wing", "wozniak", "wright", "yalow", "yonath"};

uint64_t random64() {
  uint64_t v = 0;
  if (::getrandom(&v, sizeof v, 0) != sizeof v) v = uint64_t(::time(nullptr)) * 6364136223846793005ULL;
  return v;
}
}  // namespace

std::string randomName() {
  uint64_t r = random64();
  return fmt::format("{}_{}", kAdjectives[r % std::size(kAdjectives)],
                     kNames[(r >> 32) % std::size(kNames)]);
}

std::string randomId() {
  std::string out;
  for (int i = 0; i < 4; ++i) out += fmt::format("{:016x}", random64());
  return out;
}

}  // namespace berth::engine
