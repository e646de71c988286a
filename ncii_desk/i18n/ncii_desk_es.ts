<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../gui/about.py" line="+38"/>
        <source>About NCII Desk</source>
        <translation>Acerca de NCII Desk</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>NCII Desk {version}</source>
        <translation>NCII Desk {version}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version</source>
        <translation>Versión</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Free software under the GNU General Public License, version 3 or any later version ({spdx}). It comes with no warranty. It includes the packages and analysis models listed under Third-party notices, each under its own licence.</source>
        <translation>Software libre bajo la Licencia Pública General de GNU, versión 3 o cualquier versión posterior ({spdx}). No tiene ninguna garantía. Incluye los paquetes y modelos de análisis que aparecen en Avisos de terceros, cada uno con su propia licencia.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Licence</source>
        <translation>Licencia</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+2"/>
        <source>Third-party notices</source>
        <translation>Avisos de terceros</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Licence text</source>
        <translation>Texto de la licencia</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Licence (GPL-3.0-or-later)</source>
        <translation>Licencia (GPL-3.0-or-later)</translation>
    </message>
</context>
<context>
    <name>Activity</name>
    <message>
        <location filename="../gui/workspace/activity.py" line="+24"/>
        <source>When</source>
        <translation>Cuándo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What happened</source>
        <translation>Qué pasó</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>Nota</translation>
    </message>
</context>
<context>
    <name>ActivityPane</name>
    <message>
        <location line="+16"/>
        <source>Everything done in this case is recorded here, with the time and the person. The log cannot be changed afterwards without it showing.</source>
        <translation>Aquí queda registrado todo lo que se hace en este caso, con la hora y la persona. El registro no se puede cambiar después sin que se note.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Activity log</source>
        <translation>Registro de actividad</translation>
    </message>
</context>
<context>
    <name>CaseMembers</name>
    <message>
        <location filename="../gui/workspace/members.py" line="+26"/>
        <source>Member</source>
        <translation>Miembro</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role</source>
        <translation>Función</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Key fingerprint</source>
        <translation>Huella de la clave</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You</source>
        <translation>Usted</translation>
    </message>
</context>
<context>
    <name>CaseMembersDialog</name>
    <message>
        <location line="+12"/>
        <source>Who works on this case</source>
        <translation>Quién trabaja en este caso</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Everyone listed here can read the whole case. Compare a new member&apos;s key fingerprint with them (by phone or in person) before you add them. Removing someone stops them reading what is written from now on; what they already saw stays with them.</source>
        <translation>Todas las personas de esta lista pueden leer el caso entero. Compare con la persona nueva la huella de su clave (por teléfono o en persona) antes de añadirla. Quitar a alguien le impide leer lo que se escriba a partir de ahora; lo que ya vio se queda con esa persona.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Members of the case</source>
        <translation>Miembros del caso</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Remove from the case...</source>
        <translation>&amp;Quitar del caso...</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Member id of the person to add</source>
        <translation>Identificador de miembro de la persona que se añade</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Member id:</source>
        <translation>Identificador de miembro:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Advocate</source>
        <translation>Defensor/a</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Supervising attorney</source>
        <translation>Abogado/a supervisor/a</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Read only</source>
        <translation>Solo lectura</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Role on the case</source>
        <translation>Función en el caso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role on the case:</source>
        <translation>Función en el caso:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Add to the case</source>
        <translation>&amp;Añadir al caso</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Members message</source>
        <translation>Mensaje sobre los miembros</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>you</source>
        <translation>usted</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Type the member id of the person to add first.</source>
        <translation>Escriba primero el identificador de miembro de la persona que quiere añadir.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Added. They can now read the whole case.</source>
        <translation>Añadida. Ya puede leer el caso entero.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Choose the member to remove in the list first.</source>
        <translation>Elija primero en la lista el miembro que quiere quitar.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Removed. What is written from now on uses a new key they do not hold.</source>
        <translation>Quitada. Lo que se escriba a partir de ahora usa una clave nueva que esa persona no tiene.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Remove from the case</source>
        <translation>Quitar del caso</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove member {m} from this case?</source>
        <translation>¿Quitar al miembro {m} de este caso?</translation>
    </message>
</context>
<context>
    <name>CaseWorkspace</name>
    <message>
        <location filename="../gui/workspace/__init__.py" line="+56"/>
        <source>&lt; All cases</source>
        <extracomment>Items never hashed are hashed once, when the case opens (not on every refresh).</extracomment>
        <translation>&lt; Todos los casos</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Back to all cases</source>
        <translation>Volver a todos los casos</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Back to the list of cases (Alt+Left).</source>
        <translation>Volver a la lista de casos (Alt+Izquierda).</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Case details</source>
        <translation>Datos del caso</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Who works on this case...</source>
        <translation>Quién trabaja en este caso...</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The person in this case may be under &amp;18</source>
        <translation>La persona de este caso podría ser menor de &amp;18 años</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>What the under-18 setting does</source>
        <translation>Qué hace la opción de menor de 18 años</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Case work</source>
        <translation>Trabajo del caso</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Originals &amp;&amp; references</source>
        <translation>Originales &amp;&amp; referencias</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Suspects</source>
        <translation>Sospechosos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Matches</source>
        <translation>Coincidencias</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Removal requests</source>
        <translation>Solicitudes de retiro</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evidence packet</source>
        <translation>Paquete de pruebas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Activity</source>
        <translation>Actividad</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Client: {p}</source>
        <translation>Cliente: {p}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>(no pseudonym)</source>
        <translation>(sin seudónimo)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Jurisdiction: {j}</source>
        <translation>Jurisdicción: {j}</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>(not set)</source>
        <translation>(sin indicar)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{o} originals, {r} references, {s} suspects, {q} open removal requests</source>
        <translation>{o} originales, {r} referencias, {s} sospechosos, {q} solicitudes de retiro abiertas</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>On: files are kept as hashes only and no previews are shown.</source>
        <translation>Activado: los archivos se guardan solo como hashes y no se muestran vistas previas.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Hashing items not hashed yet</source>
        <translation>Calculando los hashes pendientes</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Possibly under 18</source>
        <translation>Posiblemente menor de 18 años</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Mark this case as possibly showing a person under 18?</source>
        <translation>¿Marcar este caso como posiblemente con una persona menor de 18 años?</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This deletes from the vault, for good: {f} stored file(s) of {i} item(s), {a} web archive(s), {r} picked face(s) and {k} record(s) of face data or picture keypoints. The {h} hash(es) are kept, so matching goes on.</source>
        <translation>Esto borra de la bóveda, para siempre: {f} archivo(s) guardado(s) de {i} elemento(s), {a} archivo(s) web, {r} cara(s) elegida(s) y {k} registro(s) de datos faciales o puntos clave de imágenes. Los {h} hash(es) se conservan, así que la búsqueda de coincidencias continúa.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The same file(s) are in case {c} ({n} item(s)): they are deleted there too and that case keeps their hashes.</source>
        <translation>Los mismos archivos están en el caso {c} ({n} elemento(s)): también se borran allí y ese caso conserva sus hashes.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Copies saved outside the vault earlier ({e} exported file(s), {p} evidence packet(s)) are not touched: delete them yourself.</source>
        <translation>Las copias guardadas fuera de la bóveda antes ({e} archivo(s) exportado(s), {p} paquete(s) de pruebas) no se tocan: bórrelas usted.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This cannot be undone: switching the setting off later restores nothing.</source>
        <translation>Esto no se puede deshacer: desactivar la opción más tarde no recupera nada.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Delete the files, keep hashes</source>
        <translation>Borrar los archivos, conservar los hashes</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Turn off the under-18 setting for this case?</source>
        <translation>¿Desactivar la opción de menor de 18 años para este caso?</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Files added from now on will be kept in the vault again, and previews (blurred) will be shown. Nothing deleted comes back: items recorded as hashes only stay that way.</source>
        <translation>Los archivos que se añadan a partir de ahora se guardarán otra vez en la bóveda, y se mostrarán vistas previas (difuminadas). Nada de lo borrado vuelve: los elementos guardados solo como hashes siguen así.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Turn off</source>
        <translation>Desactivar</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Deleting the case&apos;s files from the vault...</source>
        <translation>Borrando los archivos del caso de la bóveda...</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Off: files added from now on are kept. Nothing was restored: {n} item(s) stay hashes only.</source>
        <translation>Desactivado: los archivos que se añadan a partir de ahora se guardan. No se recuperó nada: {n} elemento(s) siguen solo como hashes.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>On: only hashes are kept. Deleted: {f} stored file(s) of {i} item(s), {a} web archive(s), {r} picked face(s), {k} record(s) of face data or keypoints; {h} hash(es) kept.</source>
        <translation>Activado: solo se guardan hashes. Borrado: {f} archivo(s) guardado(s) de {i} elemento(s), {a} archivo(s) web, {r} cara(s) elegida(s), {k} registro(s) de datos faciales o puntos clave; {h} hash(es) conservado(s).</translation>
    </message>
</context>
<context>
    <name>ClinicJoin</name>
    <message>
        <location filename="../gui/clinicjoin.py" line="+112"/>
        <source>Type the passphrase again</source>
        <translation>Escriba otra vez la frase de contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase strength</source>
        <translation>Seguridad de la frase de contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase</source>
        <translation>Frase de contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Again</source>
        <translation>Otra vez</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The two passphrases are not the same.</source>
        <translation>Las dos frases de contraseña no son iguales.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Working</source>
        <translation>Trabajando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <location line="+438"/>
        <source>This key is shown only this once. It opens your clinic membership if you ever forget your passphrase. Print it or write it down, and keep it away from this computer (for example in a locked drawer). Anyone with the key can open the clinic&apos;s cases as you.</source>
        <translation>Esta clave solo se muestra esta vez. Abre su membresía de la clínica si algún día olvida su frase de contraseña. Imprímala o anótela y guárdela lejos de este equipo (por ejemplo, en un cajón con llave). Cualquiera que tenga la clave puede abrir los casos de la clínica en su nombre.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>C&amp;ontinue</source>
        <translation>C&amp;ontinuar</translation>
    </message>
</context>
<context>
    <name>ClinicJoinPage</name>
    <message>
        <location line="-392"/>
        <source>Join your clinic</source>
        <translation>Unirse a su clínica</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your clinic&apos;s administrator gives you the clinic&apos;s address, and the shared files folder if your clinic uses one. Choose a passphrase of your own: nobody else learns it. A colleague who is already a member then admits you, after you read your key&apos;s fingerprint to them by phone.</source>
        <translation>La persona que administra su clínica le da la dirección de la clínica y, si su clínica la usa, la carpeta de archivos compartidos. Elija una frase de contraseña propia: nadie más la conoce. Después, un colega que ya es miembro le admite, cuando usted le haya leído por teléfono la huella de su clave.</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+1"/>
        <source>Clinic address</source>
        <translation>Dirección de la clínica</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+9"/>
        <source>Shared files folder</source>
        <translation>Carpeta de archivos compartidos</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Leave empty unless your clinic gave one</source>
        <translation>Déjela vacía si su clínica no le dio ninguna</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ch&amp;oose...</source>
        <translation>&amp;Elegir...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose the shared files folder</source>
        <translation>Elegir la carpeta de archivos compartidos</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+1"/>
        <source>Your name</source>
        <translation>Su nombre</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>As your colleagues know you</source>
        <translation>Como le conocen sus colegas</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your new passphrase</source>
        <translation>Su nueva frase de contraseña</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Join the clinic</source>
        <translation>&amp;Unirse a la clínica</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Back</source>
        <translation>&amp;Volver</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Choose the clinic&apos;s shared files folder</source>
        <translation>Elija la carpeta de archivos compartidos de la clínica</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>A clinic address starts with postgresql:// (ask your clinic for it).</source>
        <translation>La dirección de una clínica empieza por postgresql:// (pídasela a su clínica).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Give your name, as your colleagues know you.</source>
        <translation>Indique su nombre, como le conocen sus colegas.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Making your member key (a few seconds)...</source>
        <translation>Creando su clave de miembro (unos segundos)...</translation>
    </message>
</context>
<context>
    <name>ClinicMembersTab</name>
    <message>
        <location filename="../gui/clinic.py" line="+206"/>
        <source>Clinic profile</source>
        <translation>Perfil de la clínica</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Members</source>
        <translation>Miembros</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clinic members</source>
        <translation>Miembros de la clínica</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Admit a new member</source>
        <translation>Admitir a un miembro nuevo</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Call the new member by phone and ask them to read out the fingerprint NCII Desk showed them when they joined. Type it here: the member is admitted only if it matches the key stored for them.</source>
        <translation>Llame por teléfono al miembro nuevo y pídale que lea en voz alta la huella que NCII Desk le mostró al unirse. Escríbala aquí: solo se le admite si coincide con la clave guardada para esa persona.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Member id to admit</source>
        <translation>Identificador del miembro que se admite</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fingerprint they read out</source>
        <translation>Huella que le leyeron</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Member id</source>
        <translation>Identificador de miembro</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fingerprint</source>
        <translation>Huella</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Admit</source>
        <translation>&amp;Admitir</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove a member</source>
        <translation>Quitar a un miembro</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Remove from the clinic...</source>
        <translation>&amp;Quitar de la clínica...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose the member in the list first.</source>
        <translation>Elija primero el miembro en la lista.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Members message</source>
        <translation>Mensaje sobre los miembros</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Clinic: {clinic}
Address: {url}
Your member id: {member}
Your key fingerprint: {fingerprint}</source>
        <translation>Clínica: {clinic}
Dirección: {url}
Su identificador de miembro: {member}
La huella de su clave: {fingerprint}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>admitted</source>
        <translation>admitido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>waiting to be admitted</source>
        <translation>esperando a ser admitido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>removed</source>
        <translation>quitado</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+51"/>
        <source>(name not known)</source>
        <translation>(nombre desconocido)</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Choose the member to remove in the list first.</source>
        <translation>Elija primero en la lista el miembro que quiere quitar.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>You cannot remove yourself from the clinic. Ask another admitted member to remove you.</source>
        <translation>No puede quitarse a sí mismo de la clínica. Pida a otro miembro admitido que le quite.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This member was already removed.</source>
        <translation>Este miembro ya se quitó.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Removing...</source>
        <translation>Quitando...</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Remove {name} (member {member}) from the clinic?</source>
        <translation>¿Quitar a {name} (miembro {member}) de la clínica?</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>What removal does: from now on they cannot open the clinic&apos;s cases, from any computer, with their passphrase or their recovery key. They are also taken off every case you work on, so what is written there from then on uses a new case key they never receive. The list keeps them as removed and the activity log keeps what they did.

What it does not undo: anything they already saw, copied, printed or exported while they were a member stays with them. Cases you do not work on keep them listed until someone on that case removes them (Who works on this case). To let them back in, they join again and are admitted again.</source>
        <translation>Lo que hace quitarle: a partir de ahora no puede abrir los casos de la clínica, desde ningún equipo, ni con su frase de contraseña ni con su clave de recuperación. También se le quita de todos los casos en los que usted trabaja, así que lo que se escriba allí desde entonces usa una clave de caso nueva que nunca recibe. La lista le conserva como quitado y el registro de actividad conserva lo que hizo.

Lo que no deshace: lo que ya vio, copió, imprimió o exportó mientras era miembro se queda con esa persona. Los casos en los que usted no trabaja le siguen mostrando hasta que alguien de ese caso le quite (Quién trabaja en este caso). Para volver a entrar, tiene que unirse otra vez y ser admitido otra vez.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Remove from the clinic</source>
        <translation>Quitar de la clínica</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Removed {member} from the clinic.</source>
        <translation>Se quitó a {member} de la clínica.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Also taken off these cases, whose new writes use a key they never receive: {cases}.</source>
        <translation>También se le quitó de estos casos, cuyo contenido nuevo usa una clave que nunca recibe: {cases}.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Still listed on cases you cannot change: {cases}. Ask someone who works on each to remove {member} there (Who works on this case).</source>
        <translation>Sigue en casos que usted no puede cambiar: {cases}. Pida a alguien que trabaje en cada uno que quite allí a {member} (Quién trabaja en este caso).</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Give the member id and the fingerprint they read out.</source>
        <translation>Indique el identificador de miembro y la huella que le leyeron.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Admitting...</source>
        <translation>Admitiendo...</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Admitted {member}. They can open the clinic&apos;s cases now.</source>
        <translation>Se admitió a {member}. Ya puede abrir los casos de la clínica.</translation>
    </message>
</context>
<context>
    <name>ClinicOpenPage</name>
    <message>
        <location line="-334"/>
        <source>Open a clinic&apos;s shared cases</source>
        <extracomment>The last open used the recovery key (the window then asks for a new passphrase).</extracomment>
        <translation>Abrir los casos compartidos de una clínica</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your clinic keeps its shared cases on its own server, encrypted with keys only its members hold. Give the address your clinic gave you, your member id and your member passphrase.</source>
        <translation>Su clínica guarda sus casos compartidos en su propio servidor, cifrados con claves que solo tienen sus miembros. Indique la dirección que le dio su clínica, su identificador de miembro y su frase de contraseña de miembro.</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+5"/>
        <source>Clinic address</source>
        <translation>Dirección de la clínica</translation>
    </message>
    <message>
        <location line="-4"/>
        <location line="+5"/>
        <source>Member id</source>
        <translation>Identificador de miembro</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Member passphrase</source>
        <translation>Frase de contraseña de miembro</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open with my recovery key instead</source>
        <translation>Abrir con mi clave de recuperación</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Passphrase</source>
        <translation>Frase de contraseña</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Open clinic cases</source>
        <translation>&amp;Abrir los casos de la clínica</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Back to this computer&apos;s vault</source>
        <translation>&amp;Volver a la bóveda de este equipo</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Working</source>
        <translation>Trabajando</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not a member yet?</source>
        <translation>¿Todavía no es miembro?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Join a clinic...</source>
        <translation>&amp;Unirse a una clínica...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Make your member key; a colleague who is a member admits you.</source>
        <translation>Cree su clave de miembro; un colega que ya es miembro le admite.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Set up a &amp;new clinic...</source>
        <translation>Crear una clínica &amp;nueva...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>For the person who runs the clinic&apos;s server: an empty database.</source>
        <translation>Para la persona que administra el servidor de la clínica: una base de datos vacía.</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Give the clinic address, your member id and your passphrase.</source>
        <translation>Indique la dirección de la clínica, su identificador de miembro y su frase de contraseña.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A clinic address starts with postgresql:// (ask your clinic for it).</source>
        <translation>La dirección de una clínica empieza por postgresql:// (pídasela a su clínica).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Opening the clinic&apos;s cases...</source>
        <translation>Abriendo los casos de la clínica...</translation>
    </message>
</context>
<context>
    <name>ClinicReadyPage</name>
    <message>
        <location filename="../gui/clinicjoin.py" line="+249"/>
        <source>Your clinic is ready</source>
        <translation>Su clínica está lista</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clinic</source>
        <translation>Clínica</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Give colleagues the address below. Each of them chooses Join a clinic on the unlock screen, then reads their own member id and fingerprint to you by phone; you admit them in Settings, Clinic members. Your own key is shown here so a colleague can check it with you if they ask.</source>
        <translation>Dé a sus colegas la dirección de abajo. Cada uno elige Unirse a una clínica en la pantalla de desbloqueo y luego le lee por teléfono su identificador de miembro y su huella; usted le admite en Configuración, Miembros de la clínica. Aquí se muestra su propia clave para que un colega pueda comprobarla con usted si lo pide.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Address to give colleagues</source>
        <translation>Dirección para sus colegas</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>C&amp;ontinue to the clinic&apos;s cases</source>
        <translation>C&amp;ontinuar a los casos de la clínica</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Clinic: {name}</source>
        <translation>Clínica: {name}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Address to give colleagues: {address}</source>
        <translation>Dirección para sus colegas: {address}</translation>
    </message>
</context>
<context>
    <name>ClinicSetupPage</name>
    <message>
        <location line="-142"/>
        <source>Set up a new clinic</source>
        <translation>Crear una clínica nueva</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>For the person who runs the clinic&apos;s server. You need an empty PostgreSQL database and a folder for the clinic&apos;s encrypted files that every member&apos;s computer can reach. You become the clinic&apos;s first member; colleagues then join and you admit them in Settings.</source>
        <translation>Para la persona que administra el servidor de la clínica. Necesita una base de datos PostgreSQL vacía y una carpeta para los archivos cifrados de la clínica a la que llegue el equipo de cada miembro. Usted será el primer miembro de la clínica; después sus colegas se unen y usted les admite en Configuración.</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+1"/>
        <source>Database address</source>
        <translation>Dirección de la base de datos</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+6"/>
        <source>Encrypted files folder</source>
        <translation>Carpeta de archivos cifrados</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Ch&amp;oose...</source>
        <translation>&amp;Elegir...</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Choose the files folder</source>
        <translation>Elegir la carpeta de archivos</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+1"/>
        <source>Clinic name</source>
        <translation>Nombre de la clínica</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Your name</source>
        <translation>Su nombre</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>As your colleagues know you</source>
        <translation>Como le conocen sus colegas</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your new passphrase</source>
        <translation>Su nueva frase de contraseña</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Set up the clinic</source>
        <translation>&amp;Crear la clínica</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Back</source>
        <translation>&amp;Volver</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Choose the folder for the clinic&apos;s encrypted files</source>
        <translation>Elija la carpeta para los archivos cifrados de la clínica</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>A database address starts with postgresql:// (for example {example}).</source>
        <translation>La dirección de una base de datos empieza por postgresql:// (por ejemplo {example}).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Choose the folder for the clinic&apos;s encrypted files.</source>
        <translation>Elija la carpeta para los archivos cifrados de la clínica.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Give the clinic a name.</source>
        <translation>Dé un nombre a la clínica.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Give your name, as your colleagues know you.</source>
        <translation>Indique su nombre, como le conocen sus colegas.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Setting up the clinic (a few seconds)...</source>
        <translation>Creando la clínica (unos segundos)...</translation>
    </message>
</context>
<context>
    <name>ClinicWaitPage</name>
    <message>
        <location line="-195"/>
        <source>Waiting to be admitted</source>
        <translation>Esperando a ser admitido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clinic</source>
        <translation>Clínica</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Read this out to a colleague who is already a member, by phone: your member id and your key fingerprint below. Do not send them by e-mail or chat. Your colleague admits you in Settings, Clinic members, only if every character matches.</source>
        <translation>Lea esto en voz alta, por teléfono, a un colega que ya sea miembro: su identificador de miembro y la huella de su clave, abajo. No los envíe por correo electrónico ni por chat. Su colega le admite en Configuración, Miembros de la clínica, solo si coinciden todos los caracteres.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>When your colleague says you are admitted, type your passphrase and press Check again. You can also close NCII Desk and open the clinic later: this computer remembers it.</source>
        <translation>Cuando su colega le diga que está admitido, escriba su frase de contraseña y pulse Comprobar de nuevo. También puede cerrar NCII Desk y abrir la clínica más tarde: este equipo la recuerda.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Your passphrase</source>
        <translation>Su frase de contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase</source>
        <translation>Frase de contraseña</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Check &amp;again</source>
        <translation>&amp;Comprobar de nuevo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Back</source>
        <translation>&amp;Volver</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Clinic: {name}</source>
        <translation>Clínica: {name}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Type your passphrase first.</source>
        <translation>Escriba primero su frase de contraseña.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Checking...</source>
        <translation>Comprobando...</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Not admitted yet. Call a colleague who is a member, read them your member id and fingerprint, and press Check again once they admitted you.</source>
        <translation>Todavía no está admitido. Llame a un colega que sea miembro, léale su identificador de miembro y su huella, y pulse Comprobar de nuevo cuando le haya admitido.</translation>
    </message>
</context>
<context>
    <name>Common</name>
    <message>
        <location filename="../gui/common.py" line="+317"/>
        <source>NCII Desk</source>
        <translation>NCII Desk</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Select all rows</source>
        <translation>Seleccionar todas las filas</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>More toolbar buttons</source>
        <translation>Más botones de la barra</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>More menus</source>
        <translation>Más menús</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>{d} d {h} h</source>
        <translation>{d} d {h} h</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{h} h {m} min</source>
        <translation>{h} h {m} min</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{m} min</source>
        <translation>{m} min</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>OVERDUE by {span}</source>
        <translation>VENCIDO hace {span}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>in {span}</source>
        <translation>en {span}</translation>
    </message>
</context>
<context>
    <name>ConsentPage</name>
    <message>
        <location filename="../gui/dashboard.py" line="+262"/>
        <source>Consent</source>
        <translation>Consentimiento</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Go through these points with the client. The answers are recorded with the case. Points marked (required) must be agreed to open a case.</source>
        <translation>Repase estos puntos con su cliente. Las respuestas se guardan con el caso. Los puntos marcados (obligatorio) deben aceptarse para abrir un caso.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source> (required)</source>
        <translation> (obligatorio)</translation>
    </message>
</context>
<context>
    <name>CustodyDialog</name>
    <message>
        <location filename="../gui/workspace/suspects.py" line="+196"/>
        <location line="+6"/>
        <source>Chain of custody</source>
        <translation>Cadena de custodia</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <location filename="../gui/dashboard.py" line="-230"/>
        <source>The client agrees that copies of the images are kept in this encrypted vault for the case.</source>
        <extracomment>(key, text, required) of the consent checklist; the text is stored with the answer.</extracomment>
        <translation>Su cliente acepta que se guarden copias de las imágenes en esta bóveda cifrada para el caso.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The client agrees that fingerprints (hashes) of the images, never the images, may be shared with platforms and hash-sharing programmes such as StopNCII.</source>
        <translation>Su cliente acepta que las huellas digitales (hashes) de las imágenes, nunca las imágenes, se compartan con plataformas y programas de intercambio de hashes como StopNCII.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The client agrees that we contact platforms and search engines on their behalf to ask for removal.</source>
        <translation>Su cliente acepta que contactemos a plataformas y buscadores en su nombre para pedir el retiro.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The client was told they can withdraw consent at any time, and what happens then.</source>
        <translation>Se le explicó a su cliente que puede retirar el consentimiento en cualquier momento, y qué pasa entonces.</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>Case</source>
        <translation>Caso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Client pseudonym</source>
        <translation>Seudónimo de su cliente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Originals</source>
        <translation>Originales</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>References</source>
        <translation>Referencias</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Suspects</source>
        <translation>Sospechosos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open removal requests</source>
        <translation>Solicitudes de retiro abiertas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nearest 48-hour deadline</source>
        <translation>Plazo de 48 horas más cercano</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Possibly under 18</source>
        <translation>Posiblemente menor de 18 años</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <location line="+21"/>
        <source>Cases</source>
        <extracomment>The columns that share the spare width (names); the others fit their text.</extracomment>
        <translation>Casos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;New case...</source>
        <translation>Caso &amp;nuevo...</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open case</source>
        <translation>A&amp;brir caso</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Case list</source>
        <translation>Lista de casos</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No cases yet. Use &apos;New case...&apos; to start one.</source>
        <translation>Todavía no hay casos. Use &apos;Caso nuevo...&apos; para empezar uno.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hint</source>
        <translation>Consejo</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Platforms must remove reported content within 48 hours of a valid TAKE IT DOWN Act request. Overdue deadlines are shown in red and marked OVERDUE.</source>
        <translation>Las plataformas deben retirar el contenido denunciado en las 48 horas siguientes a una solicitud válida según la Ley TAKE IT DOWN. Los plazos vencidos se muestran en rojo y marcados como VENCIDO.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>yes</source>
        <translation>sí</translation>
    </message>
</context>
<context>
    <name>DetailsPage</name>
    <message>
        <location line="+76"/>
        <source>Case details</source>
        <translation>Datos del caso</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use a pseudonym for the client, never the real name: it appears on screen.</source>
        <translation>Use un seudónimo para su cliente, nunca su nombre real: aparece en la pantalla.</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+10"/>
        <source>Case label</source>
        <translation>Nombre del caso</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>e.g. Case 2026-014</source>
        <translation>p. ej., Caso 2026-014</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Client pseudonym</source>
        <translation>Seudónimo de su cliente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. Client A</source>
        <translation>p. ej., Cliente A</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+3"/>
        <source>Jurisdiction</source>
        <translation>Jurisdicción</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Client pseudonym (not the real name)</source>
        <translation>Seudónimo de su cliente (no su nombre real)</translation>
    </message>
</context>
<context>
    <name>DraftDialog</name>
    <message>
        <location filename="../gui/workspace/requests/dialogs.py" line="+65"/>
        <source>Draft removal requests</source>
        <extracomment>The pictures, pages, kind of request or &quot;again&quot; changed: the preview is out of date.</extracomment>
        <translation>Preparar solicitudes de retiro</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>One letter is drafted per platform, listing each picture of the client found there with its own address and the page it was on. Nothing is sent: you send each letter yourself, then mark it as sent.</source>
        <translation>Se prepara una carta por plataforma, con cada imagen de su cliente encontrada allí, su propia dirección y la página donde estaba. No se envía nada: usted envía cada carta y después la marca como enviada.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Draft steps</source>
        <translation>Pasos de la preparación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pictures in the letters</source>
        <translation>Imágenes en las cartas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Letter details</source>
        <translation>Datos de la carta</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>What is missing</source>
        <translation>Lo que falta</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+1"/>
        <source>Draft the letters</source>
        <translation>Preparar las cartas</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>(one of these three is required)</source>
        <translation>(se necesita una de estas tres)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(required)</source>
        <translation>(obligatorio)</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Discard this draft?</source>
        <translation>¿Descartar este borrador?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close without drafting? What you typed or ticked here will be lost.</source>
        <translation>¿Cerrar sin preparar las cartas? Se perderá lo que escribió o marcó aquí.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Discard</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep editing</source>
        <translation>Seguir editando</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Looking for the pictures of this case...</source>
        <translation>Buscando las imágenes de este caso...</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Preview summary</source>
        <translation>Resumen de la vista previa</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Picture</source>
        <translation>Imagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Its own address</source>
        <translation>Su propia dirección</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Page it was on</source>
        <translation>Página donde estaba</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Review</source>
        <translation>Revisión</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>Nota</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pictures that go in each letter</source>
        <translation>Imágenes que van en cada carta</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Pictures that were not matched: tick one to add it to the letters (for example a picture of the client the matching did not recognise).</source>
        <translation>Imágenes sin coincidencia: marque una para añadirla a las cartas (por ejemplo, una imagen de su cliente que la búsqueda no reconoció).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Pictures that were not matched</source>
        <translation>Imágenes sin coincidencia</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>More web addresses, one per line</source>
        <translation>Más direcciones web, una por línea</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>More addresses (each page listed as it is)</source>
        <translation>Más direcciones (cada página tal como está)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Draft again even if a request already covers these pictures</source>
        <translation>Preparar de nuevo aunque ya haya una solicitud para estas imágenes</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Off: pictures already in an open request of the same kind are left out. Turn on, for example, when the platform lost the first request.</source>
        <translation>Desactivado: se dejan fuera las imágenes que ya están en una solicitud abierta del mismo tipo. Actívelo, por ejemplo, cuando la plataforma perdió la primera solicitud.</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+1"/>
        <source>Kind of request</source>
        <translation>Tipo de solicitud</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Covered platform?</source>
        <translation>¿Plataforma cubierta?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name of the person signing</source>
        <translation>Nombre de quien firma</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed by</source>
        <translation>Firmado por</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The client sends it themselves (not a representative)</source>
        <translation>Su cliente la envía por sí mismo/a (sin representante)</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+1"/>
        <source>Organisation</source>
        <translation>Organización</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Authority to act for the client</source>
        <translation>Autorización para actuar en nombre de su cliente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Authority to act</source>
        <translation>Autorización para actuar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Contact email</source>
        <translation>Correo electrónico de contacto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Email</source>
        <translation>Correo electrónico</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Contact phone</source>
        <translation>Teléfono de contacto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Contact postal address</source>
        <translation>Dirección postal de contacto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Postal address</source>
        <translation>Dirección postal</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remember the signer and clinic details for the next letters</source>
        <translation>Recordar los datos de quien firma y de la organización para las próximas cartas</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stored in the vault as the clinic&apos;s details (Settings, Clinic) and filled in next time. Not when the client sends the letter themselves.</source>
        <translation>Se guardan en la bóveda como datos de la organización (Configuración, Organización) y se rellenan la próxima vez. No cuando su cliente envía la carta por sí mismo/a.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sign electronically as /s/ followed by the name</source>
        <translation>Firmar electrónicamente como /s/ seguido del nombre</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Legal name of the client, if required</source>
        <translation>Nombre legal de su cliente, si hace falta</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Client&apos;s legal name (only if a platform needs it)</source>
        <translation>Nombre legal de su cliente (solo si una plataforma lo pide)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The client confirms in good faith that the pictures were shared without their consent</source>
        <translation>Su cliente confirma de buena fe que las imágenes se compartieron sin su consentimiento</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The pictures were digitally created or altered (fakes)</source>
        <translation>Las imágenes se crearon o alteraron digitalmente (falsificaciones)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Relevant information</source>
        <translation>Información relevante</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Relevant information (a sentence or two)</source>
        <translation>Información relevante (una o dos frases)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The copyrighted work (DMCA)</source>
        <translation>La obra protegida por derechos de autor (DMCA)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The client owns the copyright of the originals copied (mark each original in the Originals tab)</source>
        <translation>Su cliente tiene los derechos de autor de los originales copiados (marque cada original en la pestaña Originales)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The sender has read and confirms the statement of accuracy and authority under penalty of perjury</source>
        <translation>Quien envía ha leído y confirma la declaración de exactitud y autorización bajo pena de perjurio</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Copyrighted work (DMCA)</source>
        <translation>Obra protegida por derechos de autor (DMCA)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Not answered yet</source>
        <translation>Sin responder todavía</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Letter to {recipient}</source>
        <translation>Carta a {recipient}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{recipient}: does not take this kind of request (no letter)</source>
        <translation>{recipient}: no acepta este tipo de solicitud (sin carta)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Already in request {id} ({status}): left out</source>
        <translation>Ya está en la solicitud {id} ({status}): se deja fuera</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>(page given by you)</source>
        <translation>(página indicada por usted)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Not in any letter</source>
        <translation>En ninguna carta</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Every picture found is already in an open request, so nothing new would be drafted. Tick &apos;Draft again&apos; below to draft anyway.</source>
        <translation>Cada imagen encontrada ya está en una solicitud abierta, así que no se prepararía nada nuevo. Marque &apos;Preparar de nuevo&apos; abajo para prepararla de todas formas.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No picture of this case can go in a letter yet. Tick a picture below, or add a page under &apos;More addresses&apos;.</source>
        <translation>Todavía no hay ninguna imagen de este caso que pueda ir en una carta. Marque una imagen abajo, o añada una página en &apos;Más direcciones&apos;.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{n} picture(s) or page(s) in {l} letter(s).</source>
        <translation>{n} imagen(es) o página(s) en {l} carta(s).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{n} not yet reviewed: check them in the Matches tab before sending.</source>
        <translation>{n} sin revisar todavía: revíselas en la pestaña Coincidencias antes de enviar.</translation>
    </message>
</context>
<context>
    <name>ExportCaseDialog</name>
    <message>
        <location filename="../gui/handover.py" line="+134"/>
        <source>Export case</source>
        <translation>Exportar caso</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Case</source>
        <translation>Caso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To the recipient&apos;s key file (.pub)</source>
        <translation>Para el archivo de clave de quien lo recibe (.pub)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>With a passphrase (tell it by phone)</source>
        <translation>Con una frase de contraseña (dígala por teléfono)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Recipient key file</source>
        <translation>Archivo de clave de quien lo recibe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Choose...</source>
        <translation>&amp;Elegir...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Key file</source>
        <translation>Archivo de clave</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Passphrase for the file</source>
        <translation>Frase de contraseña del archivo</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Passphrase again</source>
        <translation>Frase de contraseña otra vez</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase</source>
        <translation>Frase de contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Again</source>
        <translation>Otra vez</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>File to write</source>
        <translation>Archivo que se va a escribir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;hoose...</source>
        <translation>Ele&amp;gir...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save as</source>
        <translation>Guardar como</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Recipient&apos;s key file</source>
        <translation>Archivo de clave de quien lo recibe</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save the hand-over file</source>
        <translation>Guardar el archivo de traspaso</translation>
    </message>
</context>
<context>
    <name>FacePickerDialog</name>
    <message>
        <location filename="../gui/workspace/faces.py" line="+83"/>
        <source>Pick the client&apos;s face</source>
        <translation>Elegir la cara de su cliente</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Only the faces are shown. Choose the one that is the client; it is used to recognise the client in suspect pictures and fakes.</source>
        <translation>Solo se muestran las caras. Elija la que es su cliente; se usa para reconocer a su cliente en imágenes sospechosas y falsificaciones.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Finding faces...</source>
        <translation>Buscando caras...</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Finding faces in a reference photo</source>
        <translation>Buscando caras en una foto de referencia</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No face was found in this photo.</source>
        <translation>No se encontró ninguna cara en esta foto.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{n} face(s) found, largest first. Click the client&apos;s face; click a picked face again to take it out.</source>
        <translation>{n} cara(s) encontrada(s), de mayor a menor. Haga clic en la cara de su cliente; haga clic otra vez en una cara elegida para quitarla.</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Face {i} (the client)</source>
        <translation>Cara {i} (su cliente)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Face {i}</source>
        <translation>Cara {i}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Face {i}, detection score {s:.2f}</source>
        <translation>Cara {i}, puntuación de detección {s:.2f}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>, picked</source>
        <translation>, elegida</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Removing the choice...</source>
        <translation>Quitando la elección...</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Face {i} is no longer used to recognise the client.</source>
        <translation>La cara {i} ya no se usa para reconocer a su cliente.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Saving the choice...</source>
        <translation>Guardando la elección...</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Saved: face {i} is used to recognise the client.</source>
        <translation>Guardado: la cara {i} se usa para reconocer a su cliente.</translation>
    </message>
</context>
<context>
    <name>Faces</name>
    <message>
        <location line="-181"/>
        <source>Client&apos;s face: face {n}</source>
        <translation>Cara de su cliente: cara {n}</translation>
    </message>
</context>
<context>
    <name>FingerprintDialog</name>
    <message>
        <location filename="../gui/handover.py" line="-111"/>
        <source>Compare the fingerprint</source>
        <translation>Comparar la huella de la clave</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Call the %1 on a phone number you already know (not one from an e-mail) and read this fingerprint aloud, group by group. Go on only if every group matches.</source>
        <translation>Llame a %1 a un número de teléfono que ya conozca (no uno de un correo) y lea esta huella en voz alta, grupo por grupo. Continúe solo si todos los grupos coinciden.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Key fingerprint</source>
        <translation>Huella de la clave</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>I compared this fingerprint with the %1 by phone and it matches</source>
        <translation>Comparé esta huella con %1 por teléfono y coincide</translation>
    </message>
</context>
<context>
    <name>FoundAt</name>
    <message>
        <location filename="../gui/workspace/foundat.py" line="+32"/>
        <source>The web address where this picture or video was found, and the page it was shown on. Removal letters list the file with these addresses. For a screenshot, give the page&apos;s address.</source>
        <extracomment>Items whose address may be set here: files added by hand (a capture records its own).</extracomment>
        <translation>La dirección web donde se encontró esta imagen o este video, y la página donde se mostraba. Las cartas de retiro incluyen el archivo con estas direcciones. Para una captura de pantalla, indique la dirección de la página.</translation>
    </message>
</context>
<context>
    <name>FoundAtDialog</name>
    <message>
        <location line="+14"/>
        <location line="+1"/>
        <source>Where was it found?</source>
        <translation>¿Dónde se encontró?</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Where was “{name}” found online?</source>
        <translation>¿Dónde se encontró “{name}” en internet?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Question</source>
        <translation>Pregunta</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>What this is for</source>
        <translation>Para qué sirve</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Its own web address</source>
        <translation>Su propia dirección web</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Its own web address:</source>
        <translation>Su propia dirección web:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Address of the page it was on (optional)</source>
        <translation>Dirección de la página donde estaba (opcional)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>https:// (optional)</source>
        <translation>https:// (opcional)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Page it was on:</source>
        <translation>Página donde estaba:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Problem with the addresses</source>
        <translation>Problema con las direcciones</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save where it was found</source>
        <translation>Guardar dónde se encontró</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>Gate</name>
    <message>
        <location filename="../gui/gate.py" line="+74"/>
        <source>{name} already exists.</source>
        <translation>{name} ya existe.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the name of a new file; the key never replaces a file.</source>
        <translation>Elija el nombre de un archivo nuevo; la clave nunca reemplaza un archivo.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The recovery key could not be saved: {reason}.</source>
        <translation>No se pudo guardar la clave de recuperación: {reason}.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose a folder you can write to, for example on a USB stick.</source>
        <translation>Elija una carpeta donde se pueda escribir, por ejemplo en una memoria USB.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>NCII Desk recovery key (keep it away from this computer):</source>
        <translation>Clave de recuperación de NCII Desk (guárdela lejos de esta computadora):</translation>
    </message>
</context>
<context>
    <name>GatePage</name>
    <message>
        <location line="+182"/>
        <source>Create your case vault</source>
        <extracomment>The last unlock used the recovery key (the window then asks for a new passphrase).</extracomment>
        <translation>Cree su bóveda de casos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unlock your case vault</source>
        <translation>Desbloquee su bóveda de casos</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>All cases are kept in one encrypted vault on this computer. Choose a passphrase: a few unrelated words are strong and easy to remember. Nobody, including us, can open the vault without it or the recovery key you will see next.</source>
        <translation>Todos los casos se guardan en una bóveda cifrada en esta computadora. Elija una frase de contraseña: unas cuantas palabras sin relación entre sí son seguras y fáciles de recordar. Nadie, ni siquiera nosotros, puede abrir la bóveda sin ella o sin la clave de recuperación que verá a continuación.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Vault folder: {path}</source>
        <translation>Carpeta de la bóveda: {path}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Vault folder</source>
        <translation>Carpeta de la bóveda</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open a vault kept elsewhere, or create one in an empty folder.</source>
        <translation>Abrir una bóveda guardada en otro lugar, o crear una en una carpeta vacía.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Open a clinic&apos;s &amp;shared cases...</source>
        <translation>Abrir los casos co&amp;mpartidos de una clínica...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Work on cases your clinic keeps on its own server, as a member.</source>
        <translation>Trabaje, como miembro, en casos que su clínica guarda en su propio servidor.</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+1"/>
        <location line="+55"/>
        <source>Passphrase</source>
        <translation>Frase de contraseña</translation>
    </message>
    <message>
        <location line="-54"/>
        <source>Type the passphrase again</source>
        <translation>Escriba la frase de contraseña otra vez</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase strength</source>
        <translation>Seguridad de la frase de contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlock with the recovery key instead</source>
        <translation>Desbloquear con la clave de recuperación</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+6"/>
        <source>Your name</source>
        <translation>Su nombre</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>First name or initials</source>
        <translation>Nombre o iniciales</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shown in the activity log, as in &quot;Sam added photo.jpg&quot;.</source>
        <translation>Aparece en el registro de actividad, como en &quot;Sam añadió foto.jpg&quot;.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Again</source>
        <translation>Otra vez</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>Use &amp;another folder...</source>
        <translation>Usar &amp;otra carpeta...</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Create &amp;vault</source>
        <translation>Crear la &amp;bóveda</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Unlock</source>
        <translation>&amp;Desbloquear</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Working</source>
        <translation>Trabajando</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The vault is damaged</source>
        <translation>La bóveda está dañada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What is damaged</source>
        <translation>Qué está dañado</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Recovery key</source>
        <translation>Clave de recuperación</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Choose the vault folder</source>
        <translation>Elegir la carpeta de la bóveda</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The two passphrases are not the same.</source>
        <translation>Las dos frases de contraseña no son iguales.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Measuring this computer to set the unlock strength (a few seconds)...</source>
        <translation>Midiendo esta computadora para ajustar la seguridad del desbloqueo (unos segundos)...</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Creating the encrypted vault...</source>
        <translation>Creando la bóveda cifrada...</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Unlocking...</source>
        <translation>Desbloqueando...</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Damaged part: {where}</source>
        <translation>Parte dañada: {where}</translation>
    </message>
</context>
<context>
    <name>HandoutDialog</name>
    <message>
        <location filename="../gui/workspace/handout.py" line="+37"/>
        <source>Hand-out for the client</source>
        <extracomment>The languages a hand-out can be made in, each named in its own words. The file formats: (format the service takes, file ending).</extracomment>
        <translation>Hoja informativa para su cliente</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A plain-language sheet for the client: which platforms were asked to remove the pictures, what happens next, and where to find support. Choose the language the client reads. The letters to platforms are not changed.</source>
        <translation>Una hoja en lenguaje sencillo para su cliente: a qué plataformas se les pidió retirar las imágenes, qué pasa después y dónde encontrar apoyo. Elija el idioma que lee su cliente. Las cartas a las plataformas no cambian.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Language of the hand-out</source>
        <translation>Idioma de la hoja informativa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language of the hand-out:</source>
        <translation>Idioma de la hoja informativa:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>PDF</source>
        <translation>PDF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Word document</source>
        <translation>Documento de Word</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File type</source>
        <translation>Tipo de archivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File type:</source>
        <translation>Tipo de archivo:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hand-out message</source>
        <translation>Mensaje de la hoja informativa</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save the hand-out...</source>
        <translation>Guardar la hoja informativa...</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the hand-out</source>
        <translation>Guardar la hoja informativa</translation>
    </message>
</context>
<context>
    <name>HandoverActions</name>
    <message>
        <location filename="../gui/handover.py" line="+160"/>
        <source>&amp;Case</source>
        <translation>&amp;Caso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Export case...</source>
        <translation>&amp;Exportar caso...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Import case...</source>
        <translation>&amp;Importar caso...</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>recipient</source>
        <translation>quien lo recibe</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Vault %1</source>
        <translation>Bóveda %1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Exporting case</source>
        <translation>Exportando el caso</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Saved to %1</source>
        <translation>Guardado en %1</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Case &apos;%1&apos;: %2 record(s), %3 stored file(s).</source>
        <translation>Caso &apos;%1&apos;: %2 registro(s), %3 archivo(s) guardado(s).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>sender</source>
        <translation>quien lo envía</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Checking hand-over file</source>
        <translation>Comprobando el archivo de traspaso</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Importing case</source>
        <translation>Importando el caso</translation>
    </message>
</context>
<context>
    <name>HashOnly</name>
    <message>
        <location filename="../gui/workspace/hashonly.py" line="+24"/>
        <source>Use this when the picture or video may show a person under 18. The file is deleted from the vault for good; only its hashes and details are kept, so copies can still be found, matched and reported. No preview is shown again, and the file cannot be revealed or exported. Faces picked in it are removed too. This cannot be undone.</source>
        <translation>Use esto cuando la imagen o el video pueda mostrar a una persona menor de 18 años. El archivo se borra de la bóveda para siempre; solo se conservan sus hashes y datos, así que las copias se pueden seguir encontrando, comparando y denunciando. No se vuelve a mostrar ninguna vista previa, y el archivo no se puede mostrar ni exportar. Las caras elegidas en él también se quitan. Esto no se puede deshacer.</translation>
    </message>
</context>
<context>
    <name>HashOnlyDialog</name>
    <message>
        <location line="+18"/>
        <location line="+1"/>
        <source>Keep as hashes only</source>
        <translation>Conservar solo los hashes</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Keep “{name}” as hashes only?</source>
        <translation>¿Conservar “{name}” solo como hashes?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Question</source>
        <translation>Pregunta</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>What happens</source>
        <translation>Qué pasa</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{n} other item(s) hold the same file and are switched too</source>
        <translation>{n} elemento(s) más tienen el mismo archivo y también cambian</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> ({o} of them in {c} other case(s)).</source>
        <translation> ({o} de ellos en {c} caso(s) más).</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The web archive of {n} capture(s) holds this file and is deleted as well (the record of the capture stays).</source>
        <translation>El archivo web de {n} captura(s) contiene este archivo y también se borra (el registro de la captura se conserva).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Also affected</source>
        <translation>También afectado</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reason (recorded in the activity log):</source>
        <translation>Motivo (queda en el registro de actividad):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The person in it may be under 18</source>
        <translation>La persona que aparece podría ser menor de 18 años</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Delete the file, keep hashes</source>
        <translation>&amp;Borrar el archivo, conservar los hashes</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete the file and keep only its hashes</source>
        <translation>Borrar el archivo y conservar solo sus hashes</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>ImportCaseDialog</name>
    <message>
        <location filename="../gui/handover.py" line="-166"/>
        <source>Import case</source>
        <translation>Importar caso</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+19"/>
        <source>Hand-over file</source>
        <translation>Archivo de traspaso</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>&amp;Choose...</source>
        <translation>&amp;Elegir...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>File (.ncii)</source>
        <translation>Archivo (.ncii)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Passphrase of the file, if it has one</source>
        <translation>Frase de contraseña del archivo, si tiene</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase (if any)</source>
        <translation>Frase de contraseña (si tiene)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Already in this vault: add as a separate copy</source>
        <translation>Ya está en esta bóveda: añadir como copia aparte</translation>
    </message>
</context>
<context>
    <name>Items</name>
    <message>
        <location filename="../gui/workspace/items.py" line="+55"/>
        <source>Preview</source>
        <extracomment>Side of the thumbnails as they are made (drawn at row height in the table). Rows beyond the visible ones whose thumbnails are made ahead of scrolling.</extracomment>
        <translation>Vista previa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File name</source>
        <translation>Nombre del archivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size</source>
        <translation>Tamaño</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Added</source>
        <translation>Añadido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>Nota</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Already in this case (the same file as item {id}).</source>
        <extracomment>File name and note share the spare width; preview, type, size and date fit their text. Rows a table gets at once; a longer list gets the rest on the next turns of the event loop, so a case of thousands of items never holds the window for long (200 rows took 25 ms on a quiet machine and over 100 ms while the thumbnail and list reads that follow an add competed for the interpreter).</extracomment>
        <translation>Ya está en este caso (el mismo archivo que el elemento {id}).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not added again; nothing to do.</source>
        <translation>No se añadió otra vez; no hay nada que hacer.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Added, but could not be hashed: {why}</source>
        <translation>Añadido, pero no se pudo calcular su hash: {why}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>(matching)</source>
        <translation>(buscando coincidencias)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{n} file(s) added</source>
        <translation>{n} archivo(s) añadido(s)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>; {u} were not checked for matches yet</source>
        <translation>; {u} todavía no se compararon</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>; {n} could not be added</source>
        <translation>; {n} no se pudieron añadir</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Added {n} item(s)</source>
        <translation>{n} elemento(s) añadido(s)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, {n} already in this case (not added again)</source>
        <translation>, {n} ya estaban en este caso (no se añadieron otra vez)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>, {n} also in the case in another role</source>
        <translation>, {n} también están en el caso con otro papel</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>, {n} kept as hashes only</source>
        <translation>, {n} guardado(s) solo como hashes</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, {n} copy(ies) already in the vault switched to hashes only too</source>
        <translation>, {n} copia(s) que ya estaban en la bóveda también pasaron a solo hashes</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>, {n} could not be added</source>
        <translation>, {n} no se pudieron añadir</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, {n} hidden or system file(s) skipped</source>
        <translation>, {n} archivo(s) oculto(s) o del sistema omitido(s)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Hashed {h}; {m} new match(es).</source>
        <translation>Hashes calculados: {h}; {m} coincidencia(s) nueva(s).</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Hashes only (possibly under 18): file not kept</source>
        <translation>Solo hashes (posiblemente menor de 18 años): el archivo no se guardó</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Same file as an item already in the case</source>
        <translation>El mismo archivo que un elemento que ya está en el caso</translation>
    </message>
</context>
<context>
    <name>ItemsSection</name>
    <message>
        <location line="+53"/>
        <location line="+298"/>
        <source>Add files to {t}</source>
        <translation>Añadir archivos a {t}</translation>
    </message>
    <message>
        <location line="-293"/>
        <location line="+298"/>
        <source>Add a folder to {t}</source>
        <translation>Añadir una carpeta a {t}</translation>
    </message>
    <message>
        <location line="-316"/>
        <source>{t}: list of items</source>
        <extracomment>More words for the Note column, per item id (read with the list, in the worker). The preview cell of each row, by item id (a thumbnail finds its row at once).</extracomment>
        <translation>{t}: lista de elementos</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Add files...</source>
        <translation>Añadir &amp;archivos...</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Add &amp;folder...</source>
        <translation>Añadir car&amp;peta...</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>These files may show a person &amp;under 18 (keep hashes only)</source>
        <translation>Puede mostrar a &amp;menores de 18 (solo hashes)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Keep hashes only...</source>
        <translation>Conservar solo los &amp;hashes...</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{t}: count</source>
        <translation>{t}: cantidad</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>{t}: keep the selected item as hashes only</source>
        <translation>{t}: conservar el elemento seleccionado solo como hashes</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{t}: hashes-only note</source>
        <translation>{t}: nota sobre solo hashes</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+78"/>
        <location line="+28"/>
        <location line="+20"/>
        <source>no preview</source>
        <translation>sin vista previa</translation>
    </message>
    <message>
        <location line="-78"/>
        <source>{n} item(s)</source>
        <translation>{n} elemento(s)</translation>
    </message>
    <message>
        <location line="+181"/>
        <source>Deleting the file from the vault...</source>
        <translation>Borrando el archivo de la bóveda...</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Kept as hashes only: the file was deleted from the vault.</source>
        <translation>Guardado solo como hashes: el archivo se borró de la bóveda.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} item(s) with the same file were switched too.</source>
        <translation>{n} elemento(s) con el mismo archivo también cambiaron.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Nothing was changed.</source>
        <translation>No se cambió nada.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Adding to {t}</source>
        <translation>Añadiendo a {t}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Check now</source>
        <translation>Comparar ahora</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Compares the items not checked yet with the client&apos;s photos (this is also done the next time the case is opened).</source>
        <translation>Compara los elementos que aún no se compararon con las fotos de su cliente (también se hace la próxima vez que se abra el caso).</translation>
    </message>
</context>
<context>
    <name>LetterPreview</name>
    <message>
        <location filename="../gui/letterview.py" line="+32"/>
        <source>About the letter shown</source>
        <translation>Sobre la carta mostrada</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Text of the letter</source>
        <translation>Texto de la carta</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Pages of the letter</source>
        <translation>Páginas de la carta</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>{name}: {n} page(s), as the platform will see it.</source>
        <translation>{name}: {n} página(s), tal como la verá la plataforma.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{name}: the letter&apos;s text (its pages cannot be drawn in this build).</source>
        <translation>{name}: el texto de la carta (sus páginas no se pueden dibujar en esta versión).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This letter has no text to show.</source>
        <translation>Esta carta no tiene texto que mostrar.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Select a request to read its letter.</source>
        <translation>Seleccione una solicitud para leer su carta.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../gui/mainwindow.py" line="+96"/>
        <location line="+4"/>
        <location line="+71"/>
        <source>Tasks</source>
        <translation>Tareas</translation>
    </message>
    <message>
        <location line="-49"/>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Main</source>
        <translation>Principal</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Quick exit</source>
        <translation>Salida rápida</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Hide NCII Desk at once and lock the vault ({keys}, or press Esc twice).</source>
        <translation>Ocultar NCII Desk de inmediato y bloquear la bóveda ({keys}, o pulse Esc dos veces).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>All cases</source>
        <translation>Todos los casos</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Back to the list of cases (Alt+Home).</source>
        <translation>Volver a la lista de casos (Alt+Inicio).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New case...</source>
        <translation>Caso nuevo...</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start a new case ({keys}).</source>
        <translation>Empezar un caso nuevo ({keys}).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Settings...</source>
        <translation>Configuración...</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Open Settings (Ctrl+,).</source>
        <translation>Abrir la configuración (Ctrl+,).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Lock</source>
        <translation>Bloquear</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Lock the vault now (Ctrl+L).</source>
        <translation>Bloquear la bóveda ahora (Ctrl+L).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Show or hide the progress of long tasks (Ctrl+J).</source>
        <translation>Mostrar u ocultar el avance de las tareas largas (Ctrl+J).</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Quick exit: hide and lock now</source>
        <translation>Salida rápida: ocultar y bloquear ahora</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About NCII Desk</source>
        <translation>&amp;Acerca de NCII Desk</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>The folder choice could not be saved: {why}</source>
        <translation>No se pudo guardar la carpeta elegida: {why}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Clinic cases opened.</source>
        <translation>Casos de la clínica abiertos.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Vault unlocked.</source>
        <translation>Bóveda desbloqueada.</translation>
    </message>
    <message>
        <location line="+141"/>
        <source>{n} task(s) running.</source>
        <translation>{n} tarea(s) en curso.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No tasks running.</source>
        <translation>No hay tareas en curso.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Locked after a time without use.</source>
        <translation>Bloqueada tras un tiempo sin uso.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Vault locked.</source>
        <translation>Bóveda bloqueada.</translation>
    </message>
</context>
<context>
    <name>Matches</name>
    <message>
        <location filename="../gui/workspace/matches.py" line="+40"/>
        <source>Suspect</source>
        <translation>Sospechoso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Client&apos;s picture</source>
        <translation>Imagen de su cliente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How it was found</source>
        <translation>Cómo se encontró</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How close</source>
        <translation>Parecido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Counted as a match when</source>
        <translation>Cuenta como coincidencia cuando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Review</source>
        <translation>Revisión</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Details (numbers)</source>
        <translation>Detalles (números)</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+3"/>
        <source>Same picture</source>
        <extracomment>Both pictures&apos; names and the method share the spare width; the rest fit their text. Column of the raw numbers (distance, score, threshold) for those who want them.</extracomment>
        <translation>La misma imagen</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Same picture, turned or mirrored</source>
        <translation>La misma imagen, girada o reflejada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Same picture inside a larger one</source>
        <translation>La misma imagen dentro de una más grande</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Maybe the same picture (a plain picture: weaker method, check by eye)</source>
        <translation>Quizá la misma imagen (una imagen lisa: método más débil, compruébela a simple vista)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Same video (matching frames)</source>
        <translation>El mismo video (fotogramas coincidentes)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Same video frames</source>
        <translation>Los mismos fotogramas de video</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Same picture, cropped or reframed</source>
        <translation>La misma imagen, recortada o reencuadrada</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Identical file (from a hash list)</source>
        <translation>Archivo idéntico (de una lista de hashes)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Identical video file (from a hash list)</source>
        <translation>Archivo de video idéntico (de una lista de hashes)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The client&apos;s face</source>
        <translation>La cara de su cliente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Made from one of the client&apos;s originals</source>
        <translation>Hecha a partir de uno de los originales de su cliente</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>PDQ picture fingerprint (256 bits, from Meta): resized, re-compressed or lightly edited copies keep almost the same fingerprint. &apos;How close&apos; counts the bits that differ.</source>
        <extracomment>How each method works, for the tooltip (the technical name is kept here).</extracomment>
        <translation>Huella de imagen PDQ (256 bits, de Meta): las copias redimensionadas, recomprimidas o con pequeños cambios conservan casi la misma huella. &apos;Parecido&apos; cuenta los bits que difieren.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>PDQ picture fingerprint compared in all 8 turns and mirror images. &apos;How close&apos; counts the bits that differ.</source>
        <translation>Huella de imagen PDQ comparada en los 8 giros y reflejos. &apos;Parecido&apos; cuenta los bits que difieren.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>PDQ picture fingerprint of a part of the suspect picture (a screenshot or a collage). &apos;How close&apos; counts the bits that differ.</source>
        <translation>Huella de imagen PDQ de una parte de la imagen sospechosa (una captura de pantalla o un collage). &apos;Parecido&apos; cuenta los bits que difieren.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>pHash picture fingerprint (64 bits). &apos;How close&apos; counts the bits that differ.</source>
        <translation>Huella de imagen pHash (64 bits). &apos;Parecido&apos; cuenta los bits que difieren.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>pHash picture fingerprint (64 bits), used for smooth, nearly plain pictures that PDQ cannot describe. Such pictures look alike more often, so this is a weaker method: check the pair by eye before relying on it. &apos;How close&apos; counts the bits that differ.</source>
        <translation>Huella de imagen pHash (64 bits), usada para imágenes suaves, casi lisas, que PDQ no puede describir. Esas imágenes se parecen entre sí con más frecuencia, así que es un método más débil: compruebe el par a simple vista antes de confiar en él. &apos;Parecido&apos; cuenta los bits que difieren.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>vPDQ: PDQ fingerprints of the video&apos;s frames, compared frame by frame.</source>
        <translation>vPDQ: huellas PDQ de los fotogramas del video, comparadas fotograma por fotograma.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>PDQ fingerprints of single video frames. &apos;How close&apos; counts differing bits.</source>
        <translation>Huellas PDQ de fotogramas sueltos de video. &apos;Parecido&apos; cuenta los bits que difieren.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Local features: small distinctive details found in both pictures and checked to line up. &apos;How close&apos; is how many agreed.</source>
        <translation>Rasgos locales: pequeños detalles característicos encontrados en las dos imágenes y comprobados para que encajen. &apos;Parecido&apos; es cuántos coincidieron.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>SHA-256 of the whole file, found in an imported hash list.</source>
        <translation>SHA-256 del archivo completo, encontrado en una lista de hashes importada.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>MD5 of the whole file, found in an imported hash list.</source>
        <translation>MD5 del archivo completo, encontrado en una lista de hashes importada.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MD5 of the whole video file, found in an imported hash list.</source>
        <translation>MD5 del archivo de video completo, encontrado en una lista de hashes importada.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Face embeddings compared by cosine similarity (0 to 1, higher is more alike).</source>
        <translation>Rasgos faciales comparados por similitud de coseno (de 0 a 1, cuanto más alto, más parecidos).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Local features lined up with an original, with parts changed. &apos;How close&apos; is how many details agreed.</source>
        <translation>Rasgos locales que encajan con un original, con partes cambiadas. &apos;Parecido&apos; es cuántos detalles coincidieron.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Identical</source>
        <translation>Idéntico</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} details agree</source>
        <translation>{n} detalles coinciden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Identical to the eye</source>
        <translation>Idéntico a simple vista</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Very close</source>
        <translation>Muy cerca</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Just close enough</source>
        <translation>Justo lo bastante cerca</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not close enough</source>
        <translation>No lo bastante cerca</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Very alike</source>
        <translation>Muy parecidos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Alike</source>
        <translation>Parecidos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Just alike enough</source>
        <translation>Justo lo bastante parecidos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not alike enough</source>
        <translation>No lo bastante parecidos</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the file is the same, byte for byte</source>
        <translation>el archivo es el mismo, byte por byte</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{t} or more details agree</source>
        <translation>coinciden {t} detalles o más</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{t} or fewer bits differ</source>
        <translation>difieren {t} bits o menos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>similarity is {t} or more</source>
        <translation>la similitud es {t} o más</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>distance {d}</source>
        <translation>distancia {d}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>score {s}</source>
        <translation>puntuación {s}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>threshold {t}</source>
        <translation>umbral {t}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A hash match shows the two pictures are the same image, possibly resized, re-compressed, cropped or lightly edited. The fewer bits differ, the closer; at or below the limit they count as the same picture. It does not show who made or posted it.</source>
        <translation>Una coincidencia de hash muestra que las dos imágenes son la misma, quizá redimensionada, recomprimida, recortada o con pequeños cambios. Cuantos menos bits difieren, más cerca; en el límite o por debajo cuentan como la misma imagen. No muestra quién la hizo ni quién la publicó.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Many distinctive details line up between the two pictures (&apos;How close&apos; says how many agreed). This finds crops and reframing that hashes miss; check the two pictures side by side before confirming.</source>
        <translation>Muchos detalles característicos encajan entre las dos imágenes (&apos;Parecido&apos; dice cuántos coincidieron). Así se encuentran recortes y reencuadres que los hashes no detectan; compare las dos imágenes lado a lado antes de confirmar.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>A face match is a lead for a person to check, not an identification: look-alikes, age, pose, small faces and filters can mislead it. The faces are compared by similarity (higher is more alike); at or above the limit it counts as a match.</source>
        <translation>Una coincidencia de cara es una pista que una persona debe comprobar, no una identificación: el parecido entre personas, la edad, la postura, las caras pequeñas y los filtros pueden confundirla. Las caras se comparan por similitud (cuanto más alta, más parecidas); en el límite o por encima cuenta como coincidencia.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The suspect picture lines up with one of the client&apos;s originals: it was probably made from it, with parts changed. &apos;How close&apos; says how many details agreed.</source>
        <translation>La imagen sospechosa encaja con uno de los originales de su cliente: probablemente se hizo a partir de él, con partes cambiadas. &apos;Parecido&apos; dice cuántos detalles coincidieron.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The suspect matched an entry of an imported hash list. The list says only that a hash was reported before, not by whom or why.</source>
        <translation>El sospechoso coincidió con una entrada de una lista de hashes importada. La lista solo dice que un hash se denunció antes, no quién lo hizo ni por qué.</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>To review</source>
        <translation>Por revisar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirmed</source>
        <translation>Confirmada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected</source>
        <translation>Descartada</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>(the whole run)</source>
        <extracomment>Stored thresholds that were not valid (their defaults were used).</extracomment>
        <translation>(todo el proceso)</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Analysed {a}, already up to date {u}, skipped {s}, failed {f}; {m} new match(es).</source>
        <translation>Analizados {a}, ya al día {u}, omitidos {s}, con error {f}; {m} coincidencia(s) nueva(s).</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Ran on this computer&apos;s graphics card.</source>
        <translation>Se ejecutó en la tarjeta gráfica de esta computadora.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ran on the processor.</source>
        <translation>Se ejecutó en el procesador.</translation>
    </message>
    <message>
        <location line="+229"/>
        <source>(matching)</source>
        <translation>(buscando coincidencias)</translation>
    </message>
</context>
<context>
    <name>MatchesPane</name>
    <message>
        <location line="-216"/>
        <source>Every suspect is compared with the client&apos;s originals by hash as it is added. Face and manipulation analysis also compares faces with the reference photos and looks for fakes made from the originals. Review each match: confirm it, or reject it so it is never reported again.</source>
        <translation>Cada sospechoso se compara con los originales de su cliente por hash al añadirse. El análisis de caras y manipulación también compara las caras con las fotos de referencia y busca falsificaciones hechas a partir de los originales. Revise cada coincidencia: confírmela, o descártela para que no se vuelva a denunciar nunca.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Compare all suspects again, with the thresholds from Settings.</source>
        <translation>Comparar de nuevo todos los sospechosos, con los umbrales de Configuración.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Face matching, deepfake scores, source photos and generator traces.</source>
        <translation>Comparación de caras, puntuaciones de deepfake, fotos de origen y rastros de generadores.</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Find matches a&amp;gain</source>
        <translation>&amp;Buscar coincidencias otra vez</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A&amp;nalyse faces and manipulation</source>
        <translation>A&amp;nalizar caras y manipulación</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Con&amp;firm match</source>
        <translation>Con&amp;firmar coincidencia</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The selected match is a real copy or fake of the client&apos;s picture: it is kept for the letters and the evidence packet.</source>
        <translation>La coincidencia elegida es una copia o una falsificación real de la imagen de su cliente: se guarda para las cartas y el paquete de pruebas.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Reject match</source>
        <translation>&amp;Descartar coincidencia</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The selected match is not the client&apos;s picture: it is never reported again.</source>
        <translation>La coincidencia elegida no es la imagen de su cliente: no se vuelve a señalar nunca.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Analysis note</source>
        <translation>Nota del análisis</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Matches</source>
        <translation>Coincidencias</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Suspect</source>
        <translation>Sospechoso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Client&apos;s picture</source>
        <translation>Imagen de su cliente</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Re&amp;veal for a few seconds</source>
        <translation>&amp;Mostrar unos segundos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reveal for a few &amp;seconds</source>
        <translation>Mostrar unos &amp;segundos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hide n&amp;ow</source>
        <translation>&amp;Ocultar ahora</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the suspect file</source>
        <translation>el archivo sospechoso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the client&apos;s picture</source>
        <translation>la imagen de su cliente</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reveal {whose}</source>
        <translation>Mostrar {whose}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>What this match means</source>
        <translation>Qué significa esta coincidencia</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The selected match</source>
        <translation>La coincidencia elegida</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Face and manipulation analysis is not installed in this build; hash matching works without it.</source>
        <translation>El análisis de caras y manipulación no está instalado en esta versión; la comparación por hash funciona sin él.</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>How close: {c}. Counted as a match when {rule}.</source>
        <translation>Parecido: {c}. Cuenta como coincidencia cuando {rule}.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Method: {how}</source>
        <translation>Método: {how}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Details: {numbers}</source>
        <translation>Detalles: {numbers}</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Analysis findings for the suspect:</source>
        <translation>Resultados del análisis del sospechoso:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>weak or unvalidated signal, not a finding</source>
        <translation>señal débil o sin validar, no es un hallazgo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>strength: {s}</source>
        <translation>fuerza: {s}</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Finding matches</source>
        <translation>Buscando coincidencias</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{n} new match(es).</source>
        <translation>{n} coincidencia(s) nueva(s).</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Analysing faces and manipulation</source>
        <translation>Analizando caras y manipulación</translation>
    </message>
</context>
<context>
    <name>MemberKey</name>
    <message>
        <location filename="../gui/clinicjoin.py" line="-297"/>
        <location line="+1"/>
        <source>Member id</source>
        <translation>Identificador de miembro</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>Key fingerprint</source>
        <translation>Huella de la clave</translation>
    </message>
</context>
<context>
    <name>Minor</name>
    <message>
        <location filename="../gui/dashboard.py" line="+17"/>
        <source>If the person may be under 18, NCII Desk does not keep the images at all: it reads each file once to record its hashes (fingerprints) and details, then forgets the pictures. No previews are ever shown for those items. Report the material to NCMEC&apos;s CyberTipline or Take It Down (or your national hotline) using the hashes.</source>
        <translation>Si la persona puede ser menor de 18 años, NCII Desk no guarda las imágenes: lee cada archivo una sola vez para registrar sus hashes (huellas) y datos, y después olvida las imágenes. Nunca se muestran vistas previas de esos elementos. Denuncie el material a la CyberTipline del NCMEC o a Take It Down (o a la línea de denuncia de su país) usando los hashes.</translation>
    </message>
    <message>
        <location filename="../gui/workspace/items.py" line="-318"/>
        <source>The files are read once for their hashes and details and are not kept. No preview is ever shown for them.</source>
        <translation>Los archivos se leen una sola vez para obtener sus hashes y datos, y no se guardan. Nunca se muestra una vista previa de ellos.</translation>
    </message>
</context>
<context>
    <name>NewCaseWizard</name>
    <message>
        <location filename="../gui/dashboard.py" line="+12"/>
        <source>New case</source>
        <translation>Caso nuevo</translation>
    </message>
</context>
<context>
    <name>NewPassphraseDialog</name>
    <message>
        <location filename="../gui/passphrase.py" line="+220"/>
        <source>Choose a new passphrase</source>
        <translation>Elija una nueva frase de contraseña</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>You opened the vault with the recovery key. Choose a new passphrase now: you will unlock with it from now on, and the recovery key can go back to its safe place.</source>
        <translation>Abrió la bóveda con la clave de recuperación. Elija ahora una nueva frase de contraseña: a partir de ahora desbloqueará con ella, y la clave de recuperación puede volver a su lugar seguro.</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+1"/>
        <source>Not now</source>
        <translation>Ahora no</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You can change the passphrase later in Settings, under Passphrase.</source>
        <translation>Puede cambiar la frase de contraseña más tarde en Configuración, en Frase de contraseña.</translation>
    </message>
</context>
<context>
    <name>Optional</name>
    <message>
        <location filename="../gui/optional.py" line="+47"/>
        <source>{part} is not installed: the Python package {package} is missing.</source>
        <translation>{part}: no está instalado porque falta el paquete de Python {package}.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Install NCII Desk with this part included (or install {package}), then start it again.</source>
        <translation>Instale NCII Desk con esta parte incluida (o instale {package}) y vuelva a iniciarlo.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Web capture</source>
        <translation>Captura de páginas web</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Face and manipulation analysis</source>
        <translation>Análisis de caras y de manipulación</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The reference-face gallery</source>
        <translation>La galería de caras de referencia</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Removal requests</source>
        <translation>Solicitudes de retiro</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Evidence packets</source>
        <translation>Paquetes de pruebas</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Not installed: {part}</source>
        <translation>No instalado: {part}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This part is not installed in this build of NCII Desk, so nothing can be shown or done here yet.</source>
        <translation>Esta parte no está instalada en esta versión de NCII Desk, así que aquí todavía no se puede mostrar ni hacer nada.</translation>
    </message>
</context>
<context>
    <name>OriginalsPane</name>
    <message>
        <location filename="../gui/workspace/originals.py" line="+35"/>
        <source>Preview</source>
        <translation>Vista previa</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Originals</source>
        <translation>Originales</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The client&apos;s own pictures and videos that were shared without consent. They are matched against every suspect file and link.</source>
        <translation>Las imágenes y videos propios de su cliente que se compartieron sin su consentimiento. Se comparan con cada archivo y enlace sospechoso.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Reference photos</source>
        <translation>Fotos de referencia</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ordinary photos that show the client&apos;s face clearly, used to recognise the client in fakes. Pick the client&apos;s face in each one.</source>
        <translation>Fotos normales en las que se ve bien la cara de su cliente, usadas para reconocerle en falsificaciones. Elija la cara de su cliente en cada una.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Originals or reference photos</source>
        <translation>Originales o fotos de referencia</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Pick the client&apos;s face...</source>
        <translation>Ele&amp;gir la cara de su cliente...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose which face in the selected reference photo is the client&apos;s.</source>
        <translation>Elija qué cara de la foto de referencia seleccionada es la de su cliente.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Face picking note</source>
        <translation>Nota sobre la elección de caras</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Show or hide the preview</source>
        <translation>Mostrar u ocultar la vista previa</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Show pre&amp;view</source>
        <translation>Mostrar &amp;vista previa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hide pre&amp;view</source>
        <translation>Ocultar &amp;vista previa</translation>
    </message>
    <message>
        <location line="+23"/>
        <location line="+8"/>
        <source>Not known</source>
        <translation>No se sabe</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>The client</source>
        <translation>Su cliente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Someone else</source>
        <translation>Otra persona</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Who took the selected original</source>
        <translation>Quién tomó el original seleccionado</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Yes</source>
        <translation>Sí</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No</source>
        <translation>No</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Does the client hold its copyright</source>
        <translation>¿Tiene su cliente los derechos de autor?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Taken b&amp;y</source>
        <translation>Tomada p&amp;or</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Co&amp;pyright</source>
        <translation>Derechos de a&amp;utor</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>Save who took the original and who holds its copyright</source>
        <translation>Guardar quién tomó el original y quién tiene sus derechos de autor</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A DMCA notice lists only copies of originals marked as the client&apos;s (taken by the client, or copyright held). Nothing is assumed for the whole case.</source>
        <translation>Un aviso DMCA incluye solo copias de originales marcados como de su cliente (tomados por su cliente, o con los derechos de autor). No se da nada por hecho para todo el caso.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Copyright note</source>
        <translation>Nota sobre derechos de autor</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Saved.</source>
        <translation>Guardado.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Face picking is not installed in this build (it comes with the analysis part), so reference photos cannot be used for face matching yet.</source>
        <translation>La elección de caras no está instalada en esta versión (viene con la parte de análisis), así que las fotos de referencia todavía no se pueden usar para comparar caras.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Select a reference photo to pick the client&apos;s face.</source>
        <translation>Seleccione una foto de referencia para elegir la cara de su cliente.</translation>
    </message>
</context>
<context>
    <name>Packet</name>
    <message>
        <location filename="../gui/workspace/packet.py" line="+42"/>
        <source>Packet folder: {path}</source>
        <translation>Carpeta del paquete: {path}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PDF: {pages} pages; {n} exhibit(s); {s} file(s) in the sealed volume.</source>
        <translation>PDF: {pages} páginas; {n} prueba(s) documental(es); {s} archivo(s) en el volumen sellado.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Manifest SHA-256: {h}</source>
        <translation>SHA-256 del manifiesto: {h}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>ZIP: {path}</source>
        <translation>ZIP: {path}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signed by: {who}</source>
        <translation>Firmado por: {who}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not signed (a clinic certificate can be set in Settings).</source>
        <translation>Sin firmar (se puede indicar un certificado de la organización en Configuración).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Note: {w}</source>
        <translation>Nota: {w}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>VERIFIED: {n} file(s), {b} bytes match the manifest.</source>
        <translation>VERIFICADO: {n} archivo(s), {b} bytes coinciden con el manifiesto.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The vault&apos;s audit trail agrees with the packet.</source>
        <translation>El registro de auditoría de la bóveda concuerda con el paquete.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>NOT VERIFIED: {n} problem(s).</source>
        <translation>NO VERIFICADO: {n} problema(s).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Note: {n}</source>
        <translation>Nota: {n}</translation>
    </message>
</context>
<context>
    <name>PacketPane</name>
    <message>
        <location line="+19"/>
        <source>Evidence packet</source>
        <translation>Paquete de pruebas</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>With it, NCII Desk builds the civil-claim evidence packet with a hash manifest that anyone can verify offline.</source>
        <translation>Con esto, NCII Desk prepara el paquete de pruebas para la demanda civil con un manifiesto de hashes que cualquiera puede verificar sin conexión.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The evidence packet is a folder for the attorney: a PDF with the case&apos;s exhibits (captures, hashes, matches, findings, requests) under the client&apos;s pseudonym, a hash manifest that proves no file changed, and optionally a sealed volume with the full pictures for filing under seal.</source>
        <translation>El paquete de pruebas es una carpeta para el abogado o la abogada: un PDF con las pruebas del caso (capturas, hashes, coincidencias, hallazgos, solicitudes) bajo el seudónimo de su cliente, un manifiesto de hashes que demuestra que ningún archivo cambió y, si se quiere, un volumen sellado con las imágenes completas para presentarlas bajo reserva.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Blurred thumbnails</source>
        <translation>Miniaturas difuminadas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Face crops only</source>
        <translation>Solo recortes de la cara</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No pictures</source>
        <translation>Sin imágenes</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Pictures in the PDF</source>
        <translation>Imágenes en el PDF</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Also make the sealed volume with the full pictures (for filing under seal)</source>
        <translation>Preparar también el volumen sellado con las imágenes completas (para presentarlas bajo reserva)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Also make a ZIP of the packet</source>
        <translation>Preparar también un ZIP del paquete</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Advocate notes may be privileged work product and stay out of the packet. Tick a note only if it should be in the PDF:</source>
        <translation>Las notas de la persona de apoyo pueden ser material confidencial de trabajo y quedan fuera del paquete. Marque una nota solo si debe ir en el PDF:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Advocate notes to include</source>
        <translation>Notas de la persona de apoyo que se incluyen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Build the packet...</source>
        <translation>&amp;Preparar el paquete...</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Verify a packet...</source>
        <translation>&amp;Verificar un paquete...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Open the packet folder</source>
        <translation>&amp;Abrir la carpeta del paquete</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Opens the folder in your file manager. It may make its own previews of the pictures in a sealed volume.</source>
        <translation>Abre la carpeta en su administrador de archivos. Este puede crear sus propias vistas previas de las imágenes de un volumen sellado.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Packet result</source>
        <translation>Resultado del paquete</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Choose where to put the packet folder</source>
        <translation>Elija dónde poner la carpeta del paquete</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Building the packet...</source>
        <translation>Preparando el paquete...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Building the evidence packet</source>
        <translation>Preparando el paquete de pruebas</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Packet with {n} exhibit(s) built.</source>
        <translation>Paquete preparado con {n} prueba(s) documental(es).</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Choose the packet folder to verify</source>
        <translation>Elija la carpeta del paquete que quiere verificar</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Verifying...</source>
        <translation>Verificando...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Verifying an evidence packet</source>
        <translation>Verificando un paquete de pruebas</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Verified.</source>
        <translation>Verificado.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Problems found.</source>
        <translation>Se encontraron problemas.</translation>
    </message>
</context>
<context>
    <name>Passphrase</name>
    <message>
        <location filename="../gui/passphrase.py" line="-180"/>
        <source>Strong.</source>
        <translation>Segura.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Good. A few more words make it stronger.</source>
        <translation>Buena. Unas palabras más la hacen más segura.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weak: add a few unrelated words.</source>
        <translation>Débil: añada unas cuantas palabras sin relación entre sí.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Show</source>
        <extracomment>True: Caps Lock is on; False: off; None: not known (no letter typed yet).</extracomment>
        <translation>Mostrar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show {field}</source>
        <translation>Mostrar {field}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Shows what you typed. Check nobody can see the screen.</source>
        <translation>Muestra lo que escribió. Compruebe que nadie pueda ver la pantalla.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Caps Lock is on.</source>
        <translation>Bloq Mayús está activado.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Caps Lock warning</source>
        <translation>Aviso de Bloq Mayús</translation>
    </message>
</context>
<context>
    <name>PassphraseChanger</name>
    <message>
        <location line="+56"/>
        <location line="+1"/>
        <source>Current passphrase</source>
        <translation>Frase de contraseña actual</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>New passphrase</source>
        <translation>Nueva frase de contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type the new passphrase again</source>
        <translation>Escriba otra vez la nueva frase de contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Again</source>
        <translation>Otra vez</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase strength</source>
        <translation>Seguridad de la frase de contraseña</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Change passphrase</source>
        <translation>&amp;Cambiar la frase de contraseña</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unlocks the vault with the new passphrase from now on. The recovery key does not change and still works.</source>
        <translation>A partir de ahora, la bóveda se desbloquea con la nueva frase de contraseña. La clave de recuperación no cambia y sigue funcionando.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Passphrase change result</source>
        <translation>Resultado del cambio de frase de contraseña</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Type the current passphrase first.</source>
        <translation>Escriba primero la frase de contraseña actual.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The two new passphrases are not the same.</source>
        <translation>Las dos frases de contraseña nuevas no son iguales.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Changing the passphrase (a few seconds)...</source>
        <translation>Cambiando la frase de contraseña (unos segundos)...</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Passphrase changed. Use the new one from now on; the recovery key is unchanged and still works.</source>
        <translation>Frase de contraseña cambiada. Use la nueva a partir de ahora; la clave de recuperación no cambió y sigue funcionando.</translation>
    </message>
</context>
<context>
    <name>PreviewPanel</name>
    <message>
        <location filename="../gui/safeview.py" line="+361"/>
        <source>Preview picture</source>
        <extracomment>Previews made at once. Each decode holds the interpreter for part of its work, and the 50-odd thumbnails a long list asks for at once, made four at a time, kept the window waiting for over 100 ms (bench/gui_stalls.py); one at a time they come in screen order. Items whose previews must disappear now (ids): they are being kept as hashes only. Items never to be shown again in this session, whatever a worker still delivers. Previews asked for and not started yet, with what starts each (DECODES_AT_ONCE). Zoom steps for &quot;+&quot; and &quot;-&quot; (a factor of the revealed picture&apos;s own size). None: fitted to the view; otherwise the factor of the picture&apos;s own size.</extracomment>
        <translation>Imagen de vista previa</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Preview area</source>
        <translation>Zona de vista previa</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Preview note</source>
        <translation>Nota de la vista previa</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Shows this picture unblurred for a short time. Each reveal is recorded in the case&apos;s activity log.</source>
        <translation>Muestra esta imagen sin difuminar durante poco tiempo. Cada vez que se muestra queda en el registro de actividad del caso.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Blurs the picture again at once (or press Esc).</source>
        <translation>Vuelve a difuminar la imagen de inmediato (o pulse Esc).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Time left</source>
        <translation>Tiempo restante</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Shows the whole picture in the space available.</source>
        <translation>Muestra la imagen completa en el espacio disponible.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fit the picture to the view</source>
        <translation>Ajustar la imagen a la vista</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>&amp;Reveal for a few seconds</source>
        <translation>Mostrar u&amp;nos segundos</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Hide no&amp;w</source>
        <translation>Ocultar aho&amp;ra</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Fi&amp;t</source>
        <translation>A&amp;justar</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>1&amp;00 %</source>
        <translation>1&amp;00 %</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Shows the picture at its own size; scroll to see all of it.</source>
        <translation>Muestra la imagen a su tamaño real; desplácese para verla entera.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the picture at its own size</source>
        <translation>Mostrar la imagen a su tamaño real</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Larger</source>
        <translation>Más grande</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Zoom in</source>
        <translation>Acercar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Smaller</source>
        <translation>Más pequeña</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Zoom out</source>
        <translation>Alejar</translation>
    </message>
    <message>
        <location line="+48"/>
        <location line="+157"/>
        <source>Select an item to see its blurred preview.</source>
        <translation>Seleccione un elemento para ver su vista previa difuminada.</translation>
    </message>
    <message>
        <location line="-155"/>
        <source>Preparing a blurred preview...</source>
        <translation>Preparando una vista previa difuminada...</translation>
    </message>
    <message>
        <location line="+101"/>
        <source>Recording the reveal in the activity log...</source>
        <translation>Anotando en el registro de actividad que se mostró...</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+17"/>
        <source>Blurs again in {s} s</source>
        <translation>Se difumina otra vez en {s} s</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyPage</name>
    <message>
        <location filename="../gui/gate.py" line="-362"/>
        <source>Your recovery key</source>
        <translation>Su clave de recuperación</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This key is shown only this once. It opens the vault if the passphrase is ever forgotten. Print it or write it down, and keep it away from this computer (for example in a locked drawer). Anyone with the key and the vault folder can read the cases.</source>
        <translation>Esta clave se muestra solo esta vez. Abre la bóveda si alguna vez se olvida la frase de contraseña. Imprímala o anótela, y guárdela lejos de esta computadora (por ejemplo, en un cajón con llave). Cualquier persona con la clave y la carpeta de la bóveda puede leer los casos.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Recovery key</source>
        <translation>Clave de recuperación</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Print...</source>
        <translation>&amp;Imprimir...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Save to a file...</source>
        <translation>&amp;Guardar en un archivo...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>For example on a USB stick you keep somewhere safe.</source>
        <translation>Por ejemplo, en una memoria USB que guarde en un lugar seguro.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save result</source>
        <translation>Resultado al guardar</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Last group of the recovery key</source>
        <translation>Último grupo de la clave de recuperación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. ABCD</source>
        <translation>p. ej., ABCD</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>To confirm, type the last group of 4 characters of the key:</source>
        <translation>Para confirmar, escriba el último grupo de 4 caracteres de la clave:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>I have printed or written down the recovery key and kept it safe</source>
        <translation>Imprimí o anoté la clave de recuperación y la guardé en un lugar seguro</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>C&amp;ontinue to my cases</source>
        <translation>C&amp;ontinuar a mis casos</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>NCII Desk recovery key. Keep it away from the computer.</source>
        <translation>Clave de recuperación de NCII Desk. Guárdela lejos de la computadora.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save the recovery key</source>
        <translation>Guardar la clave de recuperación</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Saved to {path}. Move it off this computer.</source>
        <translation>Guardada en {path}. Muévala fuera de esta computadora.</translation>
    </message>
</context>
<context>
    <name>Requests</name>
    <message>
        <location filename="../gui/workspace/requests/texts.py" line="+20"/>
        <source>Platform</source>
        <translation>Plataforma</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+21"/>
        <source>Sent</source>
        <translation>Enviada</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>48-hour deadline</source>
        <translation>Plazo de 48 horas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket</source>
        <translation>Referencia</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Content</source>
        <translation>Contenido</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>TAKE IT DOWN Act removal request (48 hours)</source>
        <extracomment>Platform and kind share the spare width; status, dates, ticket and content fit their text. In the draft preview the addresses fit their text (shortened in the middle when very long) and the note takes the spare width.</extracomment>
        <translation>Solicitud de retiro según la Ley TAKE IT DOWN (48 horas)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The platform&apos;s own intimate-image report</source>
        <translation>Denuncia de imágenes íntimas propia de la plataforma</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search engine de-indexing request</source>
        <translation>Solicitud de desindexación a un buscador</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DMCA notice (only if the client took the picture)</source>
        <translation>Aviso DMCA (solo si su cliente tomó la imagen)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preservation letter (keep the evidence)</source>
        <translation>Carta de conservación (guardar las pruebas)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>NCMEC report sheet (person may be under 18)</source>
        <translation>Hoja de denuncia para el NCMEC (la persona podría ser menor de 18 años)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Draft, not sent</source>
        <translation>Borrador, sin enviar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Acknowledged</source>
        <translation>Recibida</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Removed</source>
        <translation>Retirado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused</source>
        <translation>Rechazada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OVERDUE</source>
        <translation>VENCIDO</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>confirmed</source>
        <translation>confirmada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pending: not yet reviewed</source>
        <translation>pendiente: sin revisar todavía</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>named by you</source>
        <translation>indicada por usted</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>page listed as it is</source>
        <translation>página tal como está</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No picture on this page matched the client&apos;s photos.</source>
        <extracomment>Why something is left out of the letters (the service&apos;s reasons) and what to do about it.</extracomment>
        <translation>Ninguna imagen de esta página coincidió con las fotos de su cliente.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the Matches tab. To ask for it anyway, tick one of its pictures under &apos;Pictures that were not matched&apos;, or add the page under &apos;More addresses&apos; to list the whole page.</source>
        <translation>Revise la pestaña Coincidencias. Para pedirla de todas formas, marque una de sus imágenes en &apos;Imágenes sin coincidencia&apos;, o añada la página en &apos;Más direcciones&apos; para incluir la página entera.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>This file matched, but no web address is known for it.</source>
        <translation>Este archivo coincidió, pero no se conoce ninguna dirección web para él.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Capture the page it came from in the Suspects tab, or add the page under &apos;More addresses&apos;.</source>
        <translation>Capture la página de donde vino en la pestaña Sospechosos, o añada la página en &apos;Más direcciones&apos;.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Already in request {id} ({status}).</source>
        <translation>Ya está en la solicitud {id} ({status}).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Follow that request up. To draft a new letter anyway, tick &apos;Draft again even if a request already covers these pictures&apos;.</source>
        <translation>Haga el seguimiento de esa solicitud. Para preparar una carta nueva de todas formas, marque &apos;Preparar de nuevo aunque ya haya una solicitud para estas imágenes&apos;.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>A DMCA notice lists only copies of the client&apos;s own originals, matched by their pixels and confirmed by a reviewer. Ask for this picture with a TAKE IT DOWN Act request instead, or mark who took the original in the Originals tab and confirm the match in the Matches tab.</source>
        <extracomment>What to do about a picture a DMCA notice may not list (the service names why).</extracomment>
        <translation>Un aviso DMCA incluye solo copias de los originales de su cliente, comparadas por sus píxeles y confirmadas por una persona revisora. Pida esta imagen con una solicitud según la Ley TAKE IT DOWN, o marque quién tomó el original en la pestaña Originales y confirme la coincidencia en la pestaña Coincidencias.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Fill in &apos;Signed by&apos; and tick &apos;Sign electronically as /s/ followed by the name&apos;.</source>
        <extracomment>What to do about each missing letter element, in the dialog&apos;s own words (the field labels), instead of the command line&apos;s options.</extracomment>
        <translation>Rellene &apos;Firmado por&apos; y marque &apos;Firmar electrónicamente como /s/ seguido del nombre&apos;.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Capture the page each picture is on (Suspects tab), or leave the picture out.</source>
        <translation>Capture la página donde está cada imagen (pestaña Sospechosos), o deje la imagen fuera.</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+4"/>
        <source>Tick &apos;The client confirms in good faith...&apos; once the client has agreed to it.</source>
        <translation>Marque &apos;Su cliente confirma de buena fe...&apos; cuando su cliente lo haya aceptado.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Fill in &apos;Email&apos;, &apos;Phone&apos; or &apos;Postal address&apos; (the clinic&apos;s are filled in for you once stored).</source>
        <translation>Rellene &apos;Correo electrónico&apos;, &apos;Teléfono&apos; o &apos;Dirección postal&apos; (los de la organización se rellenan solos una vez guardados).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Fill in &apos;Authority to act&apos;, or tick &apos;The client sends it themselves&apos;.</source>
        <translation>Rellene &apos;Autorización para actuar&apos;, o marque &apos;Su cliente la envía por sí mismo/a&apos;.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Fill in &apos;Client&apos;s legal name&apos;: this platform asks for it.</source>
        <translation>Rellene &apos;Nombre legal de su cliente&apos;: esta plataforma lo pide.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Describe the original in &apos;Copyrighted work (DMCA)&apos;, for example &apos;a photograph the client took of herself in March 2024&apos;.</source>
        <translation>Describa el original en &apos;Obra protegida por derechos de autor (DMCA)&apos;, por ejemplo &apos;una fotografía que mi cliente se tomó en marzo de 2024&apos;.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tick &apos;The sender has read and confirms the statement...&apos; once the sender has read it.</source>
        <translation>Marque &apos;Quien envía ha leído y confirma la declaración...&apos; cuando quien envía la haya leído.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Answer &apos;Covered platform?&apos; (yes, no or not sure).</source>
        <translation>Responda &apos;¿Plataforma cubierta?&apos; (sí, no o no estoy seguro/a).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Tick &apos;The client owns the copyright...&apos; and mark each original in the Originals tab; otherwise choose the TAKE IT DOWN request.</source>
        <translation>Marque &apos;Su cliente tiene los derechos de autor...&apos; y marque cada original en la pestaña Originales; si no, elija la solicitud TAKE IT DOWN.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Leave those pictures out of the DMCA notice and ask for them with a TAKE IT DOWN request, which needs no copyright.</source>
        <translation>Deje esas imágenes fuera del aviso DMCA y pídalas con una solicitud TAKE IT DOWN, que no necesita derechos de autor.</translation>
    </message>
    <message>
        <location filename="../gui/workspace/requests/signoffs.py" line="+15"/>
        <source>signed off</source>
        <translation>con visto bueno</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>changed since its sign-off</source>
        <translation>cambiada desde su visto bueno</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sign-off not valid</source>
        <translation>visto bueno no válido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>needs a sign-off</source>
        <translation>necesita visto bueno</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Sign-offs:</source>
        <translation>Vistos buenos:</translation>
    </message>
</context>
<context>
    <name>RequestsPane</name>
    <message>
        <location filename="../gui/workspace/requests/pane.py" line="+72"/>
        <location line="+85"/>
        <source>Removal requests</source>
        <extracomment>The case&apos;s sign-off state (services.signoff.CaseSignOffs); None until read.</extracomment>
        <translation>Solicitudes de retiro</translation>
    </message>
    <message>
        <location line="-83"/>
        <source>With it, NCII Desk drafts TAKE IT DOWN Act requests and other letters for each platform, tracks when they were sent and counts down the 48 hours.</source>
        <translation>Con esto, NCII Desk prepara solicitudes según la Ley TAKE IT DOWN y otras cartas para cada plataforma, lleva el registro de cuándo se enviaron y cuenta las 48 horas.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Platforms must remove intimate pictures within 48 hours of a valid TAKE IT DOWN Act request. Draft the letters here, send them, then record when they were sent and the platform&apos;s reference number.</source>
        <translation>Las plataformas deben retirar las imágenes íntimas en las 48 horas siguientes a una solicitud válida según la Ley TAKE IT DOWN. Prepare aquí las cartas, envíelas y después anote cuándo se enviaron y el número de referencia de la plataforma.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Asks when the letter was sent (now unless you change it, in the clinic&apos;s time zone); the letter is dated then and the 48-hour clock starts then.</source>
        <translation>Pregunta cuándo se envió la carta (ahora, salvo que lo cambie, en la zona horaria de la organización); la carta lleva esa fecha y el plazo de 48 horas empieza entonces.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Change the recorded time sent, with a reason; the 48-hour clock moves with it and the history keeps both times.</source>
        <translation>Cambiar la hora de envío anotada, con un motivo; el plazo de 48 horas se mueve con ella y el historial conserva las dos horas.</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Saves the letter (PDF) in a folder you choose, opens your mail program with a new message to the platform&apos;s address (when it has one) and a subject, and opens that folder. Attach the PDF from the folder: mail programs cannot be handed an attachment in a standard way. Nothing is sent until you send it.</source>
        <translation>Guarda la carta (PDF) en una carpeta que usted elija, abre su programa de correo con un mensaje nuevo para la dirección de la plataforma (si tiene una) y un asunto, y abre esa carpeta. Adjunte el PDF desde la carpeta: a los programas de correo no se les puede pasar un adjunto de forma estándar. No se envía nada hasta que usted lo envíe.</translation>
    </message>
    <message>
        <location line="-34"/>
        <source>&amp;Draft letters...</source>
        <translation>&amp;Preparar cartas...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Mark as sent...</source>
        <translation>&amp;Marcar como enviada...</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Correct the &amp;time sent...</source>
        <translation>Corregir la &amp;hora de envío...</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Sig&amp;n off the letter</source>
        <translation>Dar el &amp;visto bueno a la carta</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>As the case&apos;s supervising attorney: sign off the selected draft letter with your own key. The clinic sends a letter only once it is signed off; a letter changed afterwards needs a new sign-off.</source>
        <translation>Como abogado/a supervisor/a del caso: dé el visto bueno a la carta seleccionada con su propia clave. La clínica solo envía una carta con visto bueno; una carta cambiada después necesita un visto bueno nuevo.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Platform &amp;reference number...</source>
        <translation>&amp;Referencia de la plataforma...</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set &amp;outcome...</source>
        <translation>Anotar el res&amp;ultado...</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the letter to a fo&amp;lder...</source>
        <translation>&amp;Guardar la carta en una carpeta...</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Send b&amp;y email...</source>
        <translation>E&amp;nviar por correo...</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Follo&amp;w-up letter...</source>
        <translation>Carta de segu&amp;imiento...</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Check the addresses a&amp;gain</source>
        <translation>Comprobar otra vez las &amp;direcciones</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Visit the captured addresses again: is the content gone?</source>
        <translation>Visitar otra vez las direcciones capturadas: ¿ya no está el contenido?</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Requests note</source>
        <translation>Nota de las solicitudes</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>History of the selected request</source>
        <translation>Historial de la solicitud seleccionada</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>About the selected request</source>
        <translation>Sobre la solicitud seleccionada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Letter</source>
        <translation>Carta</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>History</source>
        <translation>Historial</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The selected request</source>
        <translation>La solicitud elegida</translation>
    </message>
    <message>
        <location line="+83"/>
        <source>Addresses:</source>
        <translation>Direcciones:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>History:</source>
        <translation>Historial:</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Later checks of the addresses:</source>
        <translation>Comprobaciones posteriores de las direcciones:</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Checking the addresses again</source>
        <translation>Comprobando otra vez las direcciones</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>Drafting...</source>
        <translation>Preparando...</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{n} letter(s) drafted.</source>
        <translation>{n} carta(s) preparada(s).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not for this kind of request: {p}.</source>
        <translation>No sirve para este tipo de solicitud: {p}.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Addresses of items that may show a person under 18 went to an NCMEC report sheet instead.</source>
        <translation>Las direcciones de elementos que pueden mostrar a una persona menor de 18 años fueron a una hoja de denuncia para el NCMEC.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{n} address(es) or file(s) were left out; each is listed under &apos;Problems with single items&apos; with what to do.</source>
        <translation>{n} dirección(es) o archivo(s) se dejaron fuera; cada uno aparece en &apos;Problemas con elementos sueltos&apos; con lo que hay que hacer.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Drafting letters</source>
        <translation>Preparando las cartas</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Tick a picture under &apos;Pictures that were not matched&apos;, or add a page under &apos;More addresses&apos; to list the whole page.</source>
        <translation>Marque una imagen en &apos;Imágenes sin coincidencia&apos;, o añada una página en &apos;Más direcciones&apos; para incluir la página entera.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>request {id}</source>
        <translation>solicitud {id}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>request {id} to {platform} ({status}, drafted {when})</source>
        <translation>solicitud {id} a {platform} ({status}, preparada {when})</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Nothing new to draft: every picture is already in an open request.</source>
        <translation>No hay nada nuevo que preparar: cada imagen ya está en una solicitud abierta.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Already requested: {requests}.</source>
        <translation>Ya solicitado: {requests}.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>To draft a new letter anyway (for example if the platform lost the first one), tick &apos;Draft again even if a request already covers these pictures&apos;. Once a TAKE IT DOWN request&apos;s 48 hours have passed, select it in the list and use &apos;Follow-up letter&apos;.</source>
        <translation>Para preparar una carta nueva de todas formas (por ejemplo, si la plataforma perdió la primera), marque &apos;Preparar de nuevo aunque ya haya una solicitud para estas imágenes&apos;. Cuando hayan pasado las 48 horas de una solicitud TAKE IT DOWN, selecciónela en la lista y use &apos;Carta de seguimiento&apos;.</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>The letter is signed off; it may be sent now.</source>
        <translation>La carta tiene visto bueno; ya se puede enviar.</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Time sent corrected to {when}.</source>
        <translation>Hora de envío corregida a {when}.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Marked as sent at {when}.</source>
        <translation>Marcada como enviada el {when}.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Platform reference number</source>
        <translation>Número de referencia de la plataforma</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The reference or ticket number the platform gave:</source>
        <translation>El número de referencia o de caso que dio la plataforma:</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Outcome</source>
        <translation>Resultado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What did the platform do?</source>
        <translation>¿Qué hizo la plataforma?</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>This request has no letter stored.</source>
        <translation>Esta solicitud no tiene ninguna carta guardada.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Opening the letter...</source>
        <translation>Abriendo la carta...</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Choose a folder for the letter to attach</source>
        <translation>Elija una carpeta para la carta que va a adjuntar</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Please find attached our letter ({name}).</source>
        <translation>Le adjuntamos nuestra carta ({name}).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The letter was saved as {file}; attach it from that folder.</source>
        <translation>La carta se guardó como {file}; adjúntela desde esa carpeta.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your mail program was opened with a new message{to}.</source>
        <translation>Se abrió su programa de correo con un mensaje nuevo{to}.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> to {address}</source>
        <translation> para {address}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No mail program could be opened on this computer.</source>
        <translation>No se pudo abrir ningún programa de correo en esta computadora.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Choose a folder for the letter (PDF and Word)</source>
        <translation>Elija una carpeta para la carta (PDF y Word)</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+33"/>
        <location line="+48"/>
        <source>Saved: {files}</source>
        <translation>Guardado: {files}</translation>
    </message>
    <message>
        <location line="-30"/>
        <source>Follow-up letter (deadline passed)</source>
        <translation>Carta de seguimiento (plazo vencido)</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+1"/>
        <source>Make the follow-up letter</source>
        <translation>Preparar la carta de seguimiento</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Choose a folder for the follow-up letter</source>
        <translation>Elija una carpeta para la carta de seguimiento</translation>
    </message>
    <message>
        <location line="-638"/>
        <source>Hand-o&amp;ut for the client...</source>
        <translation>Hoja inf&amp;ormativa para su cliente...</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A plain-language sheet for the client, in English or Spanish: what was sent to which platform and what happens next.</source>
        <translation>Una hoja en lenguaje sencillo para su cliente, en inglés o en español: qué se envió a cada plataforma y qué pasa después.</translation>
    </message>
    <message>
        <location line="+589"/>
        <source>Choose a folder for the hand-out</source>
        <translation>Elija una carpeta para la hoja informativa</translation>
    </message>
</context>
<context>
    <name>SafeView</name>
    <message>
        <location filename="../gui/safeview.py" line="-512"/>
        <source>No preview: this item is marked as possibly showing a person under 18. Only its hashes and details are kept.</source>
        <translation>Sin vista previa: este elemento está marcado como posiblemente con una persona menor de 18 años. Solo se conservan sus hashes y datos.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No preview: the file was not kept.</source>
        <translation>Sin vista previa: el archivo no se guardó.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No preview for a video this large.</source>
        <translation>Sin vista previa para un video tan grande.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No preview for this kind of file ({mime}).</source>
        <translation>Sin vista previa para este tipo de archivo ({mime}).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The video has no frame to preview.</source>
        <translation>El video no tiene ningún fotograma que mostrar.</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>This item no longer exists.</source>
        <extracomment>Pixels as rows x columns x 3 bytes (numpy is loaded with the first picture, not at start-up).</extracomment>
        <translation>Este elemento ya no existe.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>No preview: {why}</source>
        <translation>Sin vista previa: {why}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Shown in full for a short time.</source>
        <translation>Se muestra completa durante poco tiempo.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Face only.</source>
        <translation>Solo la cara.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Blurred (no face found to show on its own).</source>
        <translation>Difuminada (no se encontró una cara para mostrar sola).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Blurred.</source>
        <translation>Difuminada.</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>No preview: this item is kept as hashes only (it may show a person under 18).</source>
        <translation>Sin vista previa: este elemento se guarda solo como hashes (puede mostrar a una persona menor de 18 años).</translation>
    </message>
</context>
<context>
    <name>SafetyPage</name>
    <message>
        <location filename="../gui/dashboard.py" line="-21"/>
        <source>Could the person be under 18?</source>
        <translation>¿Podría la persona ser menor de 18 años?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The person in the images may be under 18</source>
        <translation>La persona de las imágenes podría ser menor de 18 años</translation>
    </message>
</context>
<context>
    <name>SentTimeDialog</name>
    <message>
        <location filename="../gui/workspace/requests/dialogs.py" line="+78"/>
        <source>Correct the time sent</source>
        <extracomment>(time as YYYY-MM-DD HH:MM in the clinic&apos;s zone, reason or &quot;&quot;)</extracomment>
        <translation>Corregir la hora de envío</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>When was it sent?</source>
        <translation>¿Cuándo se envió?</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Date and time sent</source>
        <translation>Fecha y hora de envío</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sent on ({zone})</source>
        <translation>Enviada el ({zone})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why the time is corrected</source>
        <translation>Por qué se corrige la hora</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. the e-mail left at 14:05, not 15:05</source>
        <translation>p. ej., el correo salió a las 14:05, no a las 15:05</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why (required)</source>
        <translation>Por qué (obligatorio)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The letter is dated again and the history keeps the old time, the new one and your reason.</source>
        <translation>La carta se vuelve a fechar y el historial conserva la hora anterior, la nueva y su motivo.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The letter is dated with this time. Not before the draft, not in the future.</source>
        <translation>La carta lleva esta fecha y hora. No antes del borrador, ni en el futuro.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The platform&apos;s 48 hours are counted from this time, so give the time the letter actually left.</source>
        <translation>Las 48 horas de la plataforma se cuentan desde esta hora, así que indique la hora en que la carta salió de verdad.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>What this time means</source>
        <translation>Qué significa esta hora</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Correct the time</source>
        <translation>Corregir la hora</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mark as sent</source>
        <translation>Marcar como enviada</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <location filename="../gui/settings.py" line="+70"/>
        <source>Organisation</source>
        <translation>Organización</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Usual signer (name)</source>
        <translation>Quien firma normalmente (nombre)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Email</source>
        <translation>Correo electrónico</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Postal address</source>
        <translation>Dirección postal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Authority to act for clients</source>
        <translation>Autorización para actuar en nombre de sus clientes</translation>
    </message>
    <message>
        <location line="+670"/>
        <source>The certificate file cannot be read: {why}.</source>
        <translation>No se puede leer el archivo del certificado: {why}.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose the .p12 or .pfx file your clinic received.</source>
        <translation>Elija el archivo .p12 o .pfx que recibió su organización.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location line="-651"/>
        <source>Settings</source>
        <extracomment>the thresholds as stored (None until loaded, or when the stored ones were invalid)</extracomment>
        <translation>Configuración</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Settings sections</source>
        <translation>Secciones de la configuración</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Settings message</source>
        <translation>Mensaje de la configuración</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Your name</source>
        <translation>Su nombre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>First name or initials</source>
        <translation>Nombre o iniciales</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Shown in the activity log, as in &quot;Sam added photo.jpg&quot;, for what you do from now on. Earlier entries keep the name they were recorded with.</source>
        <translation>Se muestra en el registro de actividad, como en «Sam añadió foto.jpg», para lo que haga a partir de ahora. Las entradas anteriores conservan el nombre con que se registraron.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Your name</source>
        <translation>Su &amp;nombre</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+3"/>
        <source>Vault folder</source>
        <translation>Carpeta de la bóveda</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose vault folder</source>
        <translation>Elegir la carpeta de la bóveda</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+50"/>
        <location line="+290"/>
        <source>&amp;Choose...</source>
        <translation>&amp;Elegir...</translation>
    </message>
    <message>
        <location line="-336"/>
        <source>A new vault folder is used after the next lock.</source>
        <translation>La nueva carpeta de la bóveda se usa después del próximo bloqueo.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>never</source>
        <translation>nunca</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lock after minutes without use</source>
        <translation>Bloquear tras estos minutos sin uso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lock after (no use)</source>
        <translation>Bloquear tras (sin uso)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Blurred picture</source>
        <translation>Imagen difuminada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Face only (blurred when no face)</source>
        <translation>Solo la cara (difuminada si no hay cara)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preview style</source>
        <translation>Estilo de la vista previa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previews</source>
        <translation>Vistas previas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show every picture in greyscale</source>
        <translation>Mostrar todas las imágenes en escala de grises</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+7"/>
        <source>Same as this computer</source>
        <translation>Igual que esta computadora</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dark</source>
        <translation>Oscuro</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Light or dark look</source>
        <translation>Aspecto claro u oscuro</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Look</source>
        <translation>Aspecto</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Language of NCII Desk</source>
        <translation>Idioma de NCII Desk</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A new language is used from the next start.</source>
        <translation>El nuevo idioma se usa a partir del próximo inicio.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reveal time in seconds</source>
        <translation>Tiempo visible en segundos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A revealed picture blurs again after</source>
        <translation>Una imagen mostrada se vuelve a difuminar tras</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>General</source>
        <translation>General</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Model folder</source>
        <translation>Carpeta de modelos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Extra model folder</source>
        <translation>Carpeta adicional de modelos</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose model folder</source>
        <translation>Elegir la carpeta de modelos</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Checking...</source>
        <translation>Comprobando...</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Where picture checks run</source>
        <translation>Dónde se hacen las comprobaciones de imágenes</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Technical details of the picture checks</source>
        <translation>Detalles técnicos de las comprobaciones de imágenes</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Details</source>
        <translation>&amp;Detalles</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;Restore default thresholds</source>
        <translation>&amp;Restablecer los umbrales predeterminados</translation>
    </message>
    <message>
        <location line="+98"/>
        <source>&amp;Evaluate with two folders...</source>
        <translation>E&amp;valuar con dos carpetas...</translation>
    </message>
    <message>
        <location line="+170"/>
        <source>&amp;Use this certificate</source>
        <translation>&amp;Usar este certificado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Stop signing packets</source>
        <translation>Dejar de &amp;firmar los paquetes</translation>
    </message>
    <message>
        <location line="-285"/>
        <source>Show the technical details (for IT support).</source>
        <translation>Mostrar los detalles técnicos (para soporte informático).</translation>
    </message>
    <message>
        <location line="-105"/>
        <source>Clinic members</source>
        <translation>Miembros de la clínica</translation>
    </message>
    <message>
        <location line="+106"/>
        <source>Show technical details of the picture checks</source>
        <translation>Mostrar los detalles técnicos de las comprobaciones de imágenes</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Picture checks</source>
        <translation>Comprobaciones de imágenes</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Same-picture hash distance (PDQ)</source>
        <translation>Distancia de hash para la misma imagen (PDQ)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Same picture if PDQ distance is at most</source>
        <translation>La misma imagen si la distancia PDQ es como máximo</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Face match similarity</source>
        <translation>Similitud para la misma cara</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Same face if similarity is at least</source>
        <translation>La misma cara si la similitud es como mínimo</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The defaults are the values the methods were tested with. A looser threshold finds more, and more wrong matches.</source>
        <translation>Los valores predeterminados son los valores con los que se probaron los métodos. Un umbral más amplio encuentra más, y también más coincidencias erróneas.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Analysis</source>
        <translation>Análisis</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+8"/>
        <source>Face comparison model</source>
        <extracomment>the vault&apos;s stored choice as loaded (&quot;&quot; = the default; None until loaded)</extracomment>
        <translation>Modelo de comparación de caras</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>dlib ResNet (default, comes with NCII Desk)</source>
        <translation>dlib ResNet (predeterminado, viene con NCII Desk)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>MobileFaceNet (wider margin on our test photos; you install it)</source>
        <translation>MobileFaceNet (más margen en nuestras fotos de prueba; lo instala usted)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Faces are compared only with reference faces picked with the same model: after a change, single-face reference photos are picked again automatically at the next analysis, and photos with several faces must be picked again by hand. Earlier results stay stored.</source>
        <translation>Las caras se comparan solo con caras de referencia elegidas con el mismo modelo: después de un cambio, las fotos de referencia con una sola cara se vuelven a elegir solas en el próximo análisis, y las fotos con varias caras hay que volver a elegirlas a mano. Los resultados anteriores se conservan.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>What changes with the face comparison model</source>
        <translation>Qué cambia con el modelo de comparación de caras</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Face comparison model in use</source>
        <translation>Modelo de comparación de caras en uso</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>This computer overrides the setting: analysis uses {name} (set by NCII_DESK_FACE_EMBEDDER or --embedder).</source>
        <translation>Esta computadora anula la opción: el análisis usa {name} (indicado con NCII_DESK_FACE_EMBEDDER o --embedder).</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Classifier validation: a manipulation classifier&apos;s score counts as a finding only after it reached ROC AUC {auc} on at least {n} labelled pictures of the kind it is used on. Measure it on your own pictures below.</source>
        <translation>Validación de clasificadores: la puntuación de un clasificador de manipulación cuenta como hallazgo solo después de alcanzar un ROC AUC de {auc} en al menos {n} imágenes etiquetadas del tipo en que se usa. Mídalo abajo con sus propias imágenes.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Classifier validation records</source>
        <translation>Registros de validación de clasificadores</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+27"/>
        <source>Classifier</source>
        <translation>Clasificador</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Date</source>
        <translation>Fecha</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pictures</source>
        <translation>Imágenes</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ROC AUC [95 % interval]</source>
        <translation>ROC AUC [intervalo del 95 %]</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Meets the minimum</source>
        <translation>Cumple el mínimo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pictures of</source>
        <translation>Imágenes de</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Validation records</source>
        <translation>Registros de validación</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Classifier to evaluate</source>
        <translation>Clasificador que se va a evaluar</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>What the labelled pictures are</source>
        <translation>Qué son las imágenes etiquetadas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. face-swap video frames from phones</source>
        <translation>p. ej., fotogramas de videos con cambio de cara grabados con teléfonos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the result as the classifier&apos;s validation record</source>
        <translation>Guardar el resultado como registro de validación del clasificador</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Pick a folder of real pictures, then a folder of manipulated ones. The classifier scores each picture in the background.</source>
        <translation>Elija una carpeta de imágenes reales y después una carpeta de imágenes manipuladas. El clasificador puntúa cada imagen en segundo plano.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The pictures are</source>
        <translation>Las imágenes son</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluation result</source>
        <translation>Resultado de la evaluación</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>yes</source>
        <translation>sí</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>not used: {why}</source>
        <translation>no se usa: {why}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Choose the folder of real pictures</source>
        <translation>Elija la carpeta de imágenes reales</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose the folder of manipulated pictures</source>
        <translation>Elija la carpeta de imágenes manipuladas</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Say what kind of pictures the folders hold before saving: the record counts only for pictures of that kind.</source>
        <translation>Indique qué tipo de imágenes hay en las carpetas antes de guardar: el registro cuenta solo para imágenes de ese tipo.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Evaluating {m}...</source>
        <translation>Evaluando {m}...</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{m}: ROC AUC {auc:.3f} [{lo:.3f}–{hi:.3f}] on {real} real and {fake} manipulated pictures; at {t:.2f}, {fp:.0%} of the real ones flagged and {fn:.0%} of the manipulated ones missed. {minimum}</source>
        <translation>{m}: ROC AUC {auc:.3f} [{lo:.3f}–{hi:.3f}] en {real} imágenes reales y {fake} manipuladas; con {t:.2f}, se marcó el {fp:.0%} de las reales y se pasó por alto el {fn:.0%} de las manipuladas. {minimum}</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Evaluating {m}</source>
        <translation>Evaluando {m}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>ROC AUC {auc:.3f}</source>
        <translation>ROC AUC {auc:.3f}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Letters are not installed in this build, so there are no clinic details to enter.</source>
        <translation>Las cartas no están instaladas en esta versión, así que no hay datos de la organización que rellenar.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Shown on every letter as the sender and contact, unless changed for one letter.</source>
        <translation>Aparece en cada carta como remitente y contacto, salvo que se cambie para una carta.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Clinic</source>
        <translation>Organización</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Packet signing key fingerprint</source>
        <translation>Huella de la clave de firma de paquetes</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Manifest signing key</source>
        <translation>Clave de firma del manifiesto</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Every packet&apos;s manifests are signed with this vault&apos;s own key. Publish its fingerprint so recipients can check packets with verify_packet.py.</source>
        <translation>Los manifiestos de cada paquete se firman con la clave propia de esta bóveda. Publique su huella para que quien reciba los paquetes pueda comprobarlos con verify_packet.py.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Signing status</source>
        <translation>Estado de la firma</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PDF certificate</source>
        <translation>Certificado PDF</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Certificate file (.p12 or .pfx)</source>
        <translation>Archivo del certificado (.p12 o .pfx)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Certificate file</source>
        <translation>Archivo del certificado</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose certificate</source>
        <translation>Elegir certificado</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+1"/>
        <source>Certificate passphrase</source>
        <translation>Frase de contraseña del certificado</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signing reason</source>
        <translation>Motivo de la firma</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason shown in the signature</source>
        <translation>Motivo que aparece en la firma</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Evidence packets are not installed in this build.</source>
        <translation>Los paquetes de pruebas no están instalados en esta versión.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Signing</source>
        <translation>Firma</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The passphrase unlocks the vault. Changing it does not change the recovery key. A few unrelated words are strong and easy to remember.</source>
        <translation>La frase de contraseña desbloquea la bóveda. Cambiarla no cambia la clave de recuperación. Unas cuantas palabras sin relación entre sí son seguras y fáciles de recordar.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Passphrase</source>
        <translation>Frase de contraseña</translation>
    </message>
    <message>
        <location line="+87"/>
        <source>Packets are not signed.</source>
        <translation>Los paquetes no se firman.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Packets are signed as: {subject}</source>
        <translation>Los paquetes se firman como: {subject}</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>The settings file could not be written: {why}</source>
        <translation>No se pudo escribir el archivo de configuración: {why}</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Saving...</source>
        <translation>Guardando...</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Choose the vault folder</source>
        <translation>Elegir la carpeta de la bóveda</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose the model folder</source>
        <translation>Elija la carpeta de modelos</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose the clinic certificate (.p12 or .pfx)</source>
        <translation>Elija el certificado de la organización (.p12 o .pfx)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Choose the certificate file first.</source>
        <translation>Elija primero el archivo del certificado.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Packets will be signed with this certificate.</source>
        <translation>Los paquetes se firmarán con este certificado.</translation>
    </message>
</context>
<context>
    <name>Suspects</name>
    <message>
        <location filename="../gui/workspace/suspects.py" line="-157"/>
        <source>Link</source>
        <translation>Enlace</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Captured at</source>
        <translation>Capturado el</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Files kept</source>
        <translation>Archivos guardados</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Latest check</source>
        <translation>Última comprobación</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Still up</source>
        <extracomment>The address shares the spare width (shortened in the middle); the rest fit their text. Lines of the box where links are pasted (a long list scrolls).</extracomment>
        <translation>Sigue publicado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Still up, changed</source>
        <translation>Sigue publicado, con cambios</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Gone</source>
        <translation>Ya no está</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Could not check</source>
        <translation>No se pudo comprobar</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Failed: {why}</source>
        <translation>Falló: {why}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not finished</source>
        <translation>Sin terminar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Captured (HTTP {code})</source>
        <translation>Capturado (HTTP {code})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The site answered HTTP {code}</source>
        <translation>El sitio respondió HTTP {code}</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>(matching)</source>
        <translation>(buscando coincidencias)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Captured {c} of {n} link(s), {f} file(s) kept; {m} new match(es).</source>
        <translation>Capturado(s) {c} de {n} enlace(s), {f} archivo(s) guardado(s); {m} coincidencia(s) nueva(s).</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Checked {n} link(s). </source>
        <translation>Comprobado(s) {n} enlace(s). </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>File: {name}</source>
        <translation>Archivo: {name}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Added: {at} by {who}</source>
        <translation>Añadido: {at} por {who}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Came from: {url} (HTTP {code}, captured {at})</source>
        <translation>Procede de: {url} (HTTP {code}, capturado {at})</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Web archive SHA-256: {s}</source>
        <translation>SHA-256 del archivo web: {s}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Audit trail verified: {ok} ({n} events in the vault)</source>
        <translation>Registro de auditoría verificado: {ok} ({n} eventos en la bóveda)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>yes</source>
        <translation>sí</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>NO</source>
        <translation>NO</translation>
    </message>
</context>
<context>
    <name>SuspectsPane</name>
    <message>
        <location line="+118"/>
        <source>Links</source>
        <translation>Enlaces</translation>
    </message>
    <message>
        <location line="-81"/>
        <source>Each page is saved with the details that prove where and when it was found, and the pictures on it become suspect items.</source>
        <translation>Cada página se guarda con los datos que prueban dónde y cuándo se encontró, y sus imágenes pasan a ser elementos sospechosos.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Links to capture, one per line</source>
        <translation>Enlaces que se van a capturar, uno por línea</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Paste the links where the pictures appear, one per line, for example:
https://example.org/page-with-the-picture</source>
        <translation>Pegue los enlaces donde aparecen las imágenes, uno por línea, por ejemplo:
https://example.org/pagina-con-la-imagen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Capture these &amp;links</source>
        <translation>Capturar es&amp;tos enlaces</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Check the links a&amp;gain</source>
        <translation>Com&amp;probar otra vez los enlaces</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Visit every captured link again: is the content still there?</source>
        <translation>Visitar otra vez cada enlace capturado: ¿sigue ahí el contenido?</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Capture note</source>
        <translation>Nota de la captura</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Captured links and their status</source>
        <translation>Enlaces capturados y su estado</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Preview</source>
        <translation>Vista previa</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Suspect files</source>
        <translation>Archivos sospechosos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Files found elsewhere (downloads, screenshots, a folder someone sent). They are compared with the originals as they are added.</source>
        <translation>Archivos encontrados en otros lugares (descargas, capturas de pantalla, una carpeta que alguien envió). Se comparan con los originales al añadirse.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Chain of custod&amp;y...</source>
        <translation>Cadena de custo&amp;dia...</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Where was it f&amp;ound?...</source>
        <translation>¿Dónde se enc&amp;ontró?...</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Suspect files or links</source>
        <translation>Archivos sospechosos o enlaces</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Show or hide the preview</source>
        <translation>Mostrar u ocultar la vista previa</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Show pre&amp;view</source>
        <translation>Mostrar &amp;vista previa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hide pre&amp;view</source>
        <translation>Ocultar &amp;vista previa</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Capturing links is not installed in this build. Save the pictures from the page yourself and add them under Suspect files.</source>
        <translation>La captura de enlaces no está instalada en esta versión. Guarde usted las imágenes de la página y añádalas en Archivos sospechosos.</translation>
    </message>
    <message>
        <location line="-56"/>
        <source>How the selected file came in, and everything recorded about it since.</source>
        <translation>Cómo llegó el archivo seleccionado, y todo lo que se ha anotado sobre él desde entonces.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Where was the selected file found?</source>
        <translation>¿Dónde se encontró el archivo seleccionado?</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Where it was found: note</source>
        <translation>Dónde se encontró: nota</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>Paste at least one link first.</source>
        <translation>Pegue primero al menos un enlace.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Capturing {n} link(s)</source>
        <translation>Capturando {n} enlace(s)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Checking captured links again</source>
        <translation>Comprobando otra vez los enlaces capturados</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Saved where it was found (recorded in the activity log).</source>
        <translation>Guardado dónde se encontró (queda en el registro de actividad).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The addresses are the same as before.</source>
        <translation>Las direcciones son las mismas que antes.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Nothing was changed.</source>
        <translation>No se cambió nada.</translation>
    </message>
</context>
<context>
    <name>TaskManager</name>
    <message>
        <location filename="../gui/tasks.py" line="+493"/>
        <source>Done.</source>
        <translation>Hecho.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelled; what was finished before is kept. </source>
        <translation>Cancelado; lo que ya estaba terminado se conserva. </translation>
    </message>
    <message>
        <location line="+19"/>
        <source>The task finished, but its result could not be shown ({name}).</source>
        <translation>La tarea terminó, pero no se pudo mostrar su resultado ({name}).</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cancelled; what was finished before is kept.</source>
        <translation>Cancelado; lo que ya estaba terminado se conserva.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stopped: {message}</source>
        <translation>Detenido: {message}</translation>
    </message>
</context>
<context>
    <name>TaskPanel</name>
    <message>
        <location line="-318"/>
        <source>Tasks and problems</source>
        <extracomment>At most this many task rows and problem lines get room before the lists scroll. The panel wants a different height (it opened, closed, or a list grew).</extracomment>
        <translation>Tareas y problemas</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Tasks in this session</source>
        <translation>Tareas de esta sesión</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Task list</source>
        <translation>Lista de tareas</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+13"/>
        <location line="+186"/>
        <source>Problems with single items</source>
        <translation>Problemas con elementos sueltos</translation>
    </message>
    <message>
        <location line="-216"/>
        <source>Clear fi&amp;nished tasks</source>
        <translation>Quitar las &amp;tareas terminadas</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Clear proble&amp;m list</source>
        <translation>Vaciar la li&amp;sta de problemas</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Task</source>
        <translation>Tarea</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Item</source>
        <translation>Elemento</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What happened</source>
        <translation>Qué pasó</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What to do</source>
        <translation>Qué hacer</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Task summary</source>
        <translation>Resumen de las tareas</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Tasks:</source>
        <translation>Tareas:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Summary of the tasks</source>
        <translation>Resumen de las tareas en curso</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Progress of the running task</source>
        <translation>Progreso de la tarea en curso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%v of %m</source>
        <translation>%v de %m</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+37"/>
        <source>Show deta&amp;ils</source>
        <translation>Mostrar detall&amp;es</translation>
    </message>
    <message>
        <location line="-31"/>
        <source>Hid&amp;e</source>
        <translation>Ocu&amp;ltar</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Hide deta&amp;ils</source>
        <translation>Ocultar detall&amp;es</translation>
    </message>
    <message>
        <location line="-35"/>
        <source>Show or hide the task details</source>
        <translation>Mostrar u ocultar los detalles de las tareas</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Hide the task panel</source>
        <translation>Ocultar el panel de tareas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The Tasks button brings it back.</source>
        <translation>El botón Tareas lo vuelve a mostrar.</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>{task}: {status}</source>
        <translation>{task}: {status}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{n} tasks running. Latest: {text}</source>
        <translation>{n} tareas en curso. La última: {text}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Finished. {task}: {status}</source>
        <translation>Terminado. {task}: {status}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nothing is running. Long work shows its progress here.</source>
        <translation>No hay nada en curso. Aquí se muestra el progreso de los trabajos largos.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{n} problem(s) with single items listed below.</source>
        <translation>{n} problema(s) con elementos sueltos, en la lista de abajo.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{n} problem(s) with single items: Show details lists them.</source>
        <translation>{n} problema(s) con elementos sueltos: Mostrar detalles los enumera.</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Problems with single items ({n})</source>
        <translation>Problemas con elementos sueltos ({n})</translation>
    </message>
</context>
<context>
    <name>TaskRow</name>
    <message>
        <location line="-304"/>
        <location line="+3"/>
        <source>Starting...</source>
        <extracomment>A next step is offered (the panel keeps the row in sight until it is taken).</extracomment>
        <translation>Empezando...</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Progress of {task}</source>
        <translation>Progreso de {task}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Status of {task}</source>
        <translation>Estado de {task}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel {task}</source>
        <translation>Cancelar {task}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Cancelling after the current item...</source>
        <translation>Cancelando después del elemento actual...</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Working</source>
        <translation>Trabajando</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{phase} {done}/{total}</source>
        <translation>{phase} {done}/{total}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Done</source>
        <translation>Hecho</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>Cancelado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stopped</source>
        <translation>Detenido</translation>
    </message>
</context>
<context>
    <name>Tasks</name>
    <message>
        <location line="-101"/>
        <source>Adding</source>
        <extracomment>A finished task&apos;s next step, from its result: (button text, what it does, tooltip). In the problem list, what happened and what to do share the spare width. The phases services report (Job.progress messages), in the advocate&apos;s words.</extracomment>
        <translation>Añadiendo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Comparing with the client&apos;s photos</source>
        <translation>Comparando con las fotos de su cliente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Comparing items not checked yet with the client&apos;s photos</source>
        <translation>Comparando con las fotos de su cliente los elementos aún sin comparar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Checking the addresses again</source>
        <translation>Comprobando otra vez las direcciones</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Capturing pages</source>
        <translation>Capturando páginas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reading the exhibits</source>
        <translation>Leyendo las pruebas documentales</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finding faces in the reference photos</source>
        <translation>Buscando caras en las fotos de referencia</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Reading the reference photos</source>
        <translation>Leyendo las fotos de referencia</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Comparing the suspect photos</source>
        <translation>Comparando las fotos sospechosas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finishing</source>
        <translation>Terminando</translation>
    </message>
</context>
<context>
    <name>Workspace</name>
    <message>
        <location filename="../gui/workspace/__init__.py" line="+14"/>
        <source>Hashed {h} item(s) that had no hashes; {m} new match(es).</source>
        <translation>Hashes calculados para {h} elemento(s) que no tenían; {m} coincidencia(s) nueva(s).</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>(hashes only)</source>
        <translation>(solo hashes)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} item(s) kept as hashes only have no picture hashes and cannot get them: their files were not kept.</source>
        <translation>{n} elemento(s) guardado(s) solo como hashes no tienen hashes de imagen y no pueden obtenerlos: sus archivos no se guardaron.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Add the files again (as possibly under 18) if you still have them.</source>
        <translation>Añada otra vez los archivos (como posiblemente menor de 18 años) si todavía los tiene.</translation>
    </message>
</context>
</TS>
