#include "core/demo_story.hpp"

#include <initializer_list>

namespace liveblog {

using nlohmann::json;

namespace {

// Block builders: the demo is data, these keep it readable.
json text(std::string s) { return {{"type", "text"}, {"text", std::move(s)}}; }
json heading(std::string s) { return {{"type", "heading"}, {"text", std::move(s)}}; }
json quote(std::string s, std::string cite) {
    return {{"type", "quote"}, {"text", std::move(s)}, {"cite", std::move(cite)}};
}
json image(std::string src, std::string alt, std::string caption, std::string credit, unsigned width,
           unsigned height) {
    return {{"type", "image"},  {"src", std::move(src)},       {"alt", std::move(alt)}, {"caption", std::move(caption)},
            {"credit", std::move(credit)}, {"width", width}, {"height", height}};
}
json embed(std::string url) { return {{"type", "embed"}, {"url", std::move(url)}}; }
json list(std::initializer_list<std::string> items) {
    return {{"type", "list"}, {"items", json::array_t(items.begin(), items.end())}};
}

struct Post {
    const char* author;
    const char* title;  // nullptr: none
    bool key_event = false;
    bool pinned = false;
    std::vector<json> blocks;
};

}  // namespace

std::vector<Command> demo_story_commands() {
    std::vector<Command> commands;
    commands.push_back(CreateStory{
        .id = demo_story_id,
        .title = "Tempête Ysolde : la vallée de la Vérenne face à une crue historique",
        .summary = "Des pluies diluviennes ont fait sortir la Vérenne de son lit dans la nuit. "
                   "Évacuations, routes coupées, renforts de la sécurité civile : "
                   "suivez la situation heure par heure.",
        .lang = "fr",
        .status = StoryStatus::live,
    });

    const std::vector<Post> posts = {
        {"Camille Roussel", "Bienvenue dans ce direct", false, false, {
            text("Bonjour et bienvenue dans ce direct consacré à la tempête **Ysolde**, qui s’abat "
                 "depuis hier soir sur la vallée de la Vérenne. Montée des eaux, évacuations, réponse "
                 "des secours : nous suivons la situation avec nos journalistes sur place."),
            text("Le dernier [bulletin de vigilance](https://vigilance.meteo.example/bulletins/verenne) "
                 "place le département en vigilance orange « pluie-inondation » jusqu’à demain matin."),
        }},
        {"Théo Garnier", nullptr, false, false, {
            heading("Nuit blanche à Montfleury-sur-Vérenne"),
            text("Dans le quartier des Tanneurs, le plus bas de la ville, les habitants ont passé la nuit "
                 "à surélever meubles et appareils électriques. Vers 3 heures, la rivière a franchi le "
                 "parapet du quai Saint-Roch."),
            quote("L’eau est montée de quarante centimètres en moins d’une heure. On a tout juste eu le "
                  "temps de monter les papiers et le chat à l’étage.",
                  "Josiane, 71 ans, habitante de la rue des Tanneurs"),
        }},
        {"Théo Garnier", "Les premières images", false, false, {
            image("https://picsum.photos/seed/verenne-crue/1200/800",
                  "Une rue inondée où l’eau arrive à mi-hauteur des portes d’entrée",
                  "La rue des Tanneurs, à Montfleury-sur-Vérenne, au lever du jour.",
                  "Lucas Ferrand pour la rédaction", 1200, 800),
            text("Les pompiers circulent en barque dans plusieurs rues du centre. Les commerces du quai "
                 "n’ouvriront pas aujourd’hui."),
        }},
        {"Camille Roussel", "Vigilance rouge : le plan Orsec déclenché", true, false, {
            text("⚠️ Météo-Vérenne vient de relever la vigilance au niveau **rouge** « pluie-inondation ». "
                 "La préfète a aussitôt déclenché le plan Orsec et ouvert un centre opérationnel "
                 "départemental."),
            quote("Je demande à chacun de limiter ses déplacements au strict nécessaire. Ne vous engagez "
                  "en aucun cas sur une route submergée : trente centimètres d’eau suffisent à emporter "
                  "une voiture.",
                  "Hélène Carrier, préfète"),
            text("Les écoles, collèges et lycées de la vallée resteront fermés jusqu’à nouvel ordre."),
        }},
        {"Inès Lambert", "Routes coupées : la carte", false, false, {
            text("Douze routes départementales sont fermées à la circulation, ainsi que la ligne TER "
                 "entre Montfleury et Valbrune. Notre carte est mise à jour en continu."),
            embed("https://carto.verenne.example/routes-coupees"),
        }},
        {"Inès Lambert", "Pourquoi la crue est si rapide", false, false, {
            text("Selon Nadia Benali, hydrologue à l’observatoire des bassins de la Vérenne, il s’agit "
                 "d’une _crue éclair_ : des sols déjà saturés par les pluies de la semaine, puis plus de "
                 "200 millimètres tombés en douze heures sur les reliefs en amont."),
            quote("Le pic devrait atteindre Montfleury en fin d’après-midi. Tant qu’il pleut sur les "
                  "crêtes, le niveau continuera de monter en aval.",
                  "Nadia Benali, hydrologue"),
        }},
        {"Camille Roussel", "L’essentiel", false, true, {
            list({
                "La vallée de la Vérenne est en vigilance rouge « pluie-inondation » depuis 9 h 30.",
                "Environ 1 200 habitants ont été évacués à Montfleury et dans trois communes voisines.",
                "Douze routes départementales sont coupées ; le trafic TER est interrompu.",
                "Aucune victime n’est à déplorer ; deux personnes ont été légèrement blessées.",
                "Le pic de crue est attendu en fin d’après-midi.",
            }),
        }},
        {"Théo Garnier", nullptr, false, false, {
            text("🚁 Un hélicoptère de la sécurité civile a hélitreuillé un couple et ses deux enfants "
                 "réfugiés sur le toit de leur maison, au hameau des Aulnes. Tous sont sains et saufs."),
        }},
        {"Inès Lambert", "Le maire appelle à la solidarité", false, false, {
            quote("Nous avons ouvert le gymnase Jean-Moulin et la salle des fêtes. Personne ne dormira "
                  "dehors cette nuit à Montfleury.",
                  "Étienne Morand, maire de Montfleury-sur-Vérenne"),
            text("La mairie recense les besoins : couvertures, vêtements secs, produits d’hygiène. Les "
                 "**dons** sont centralisés sur [le site de la commune](https://www.montfleury.example/solidarite)."),
        }},
        {"Camille Roussel", "La Vérenne à 6,12 m", false, false, {
            heading("Le pic semble atteint"),
            text("À 17 h 45, la station de mesure du pont Neuf indiquait 6,12 m, un niveau inédit depuis "
                 "1957. Le niveau se stabilise depuis une demi-heure, mais la décrue sera lente, "
                 "préviennent les services de l’État."),
        }},
        {"Théo Garnier", nullptr, false, false, {
            text("Nous suspendons ce direct pour la nuit. Merci de l’avoir suivi ; nous reprendrons demain "
                 "dès 6 heures avec le premier bilan des dégâts."),
        }},
    };

    // Idempotency keys make seeding safe to repeat: a second run replays
    // instead of duplicating the entries.
    int n = 0;
    for (const auto& p : posts) {
        PostEntry post;
        post.story = demo_story_id;
        post.idempotency_key = "demo-" + std::to_string(++n);
        post.author = p.author;
        if (p.title) post.title = p.title;
        post.key_event = p.key_event;
        post.pinned = p.pinned;
        post.blocks = p.blocks;
        commands.push_back(std::move(post));
    }
    return commands;
}

}  // namespace liveblog
